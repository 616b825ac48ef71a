"""Property tests: generated valid requests round-trip, generated broken ones are rejected,
generated requests the service trims or ignores are accepted with a warning.

Invalid requests start from a valid request of one function and break exactly one rule; the
rejection must be an :class:`InvalidRequest` whose problems all name the broken field. Trimmed
requests start the same way and go past one soft limit (a prompt over 800 characters, more than 3
reference images, a mask knob that does not apply): they must validate, with warnings that all
name that field. The runs are deterministic (``derandomize=True``, no example database) and sized
to finish in seconds.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vace_studio.requests import FUNCTIONS, MODELS, InvalidRequest, is_local, validate_request
from vace_studio.requests.fields import SEED_MAX, SIZES

INVALID_EXAMPLES_PER_CASE = 20
VALID_EXAMPLES = 200


def fuzz(examples: int) -> settings:
    """Deterministic and database-free, so every run checks the same examples."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Local media must exist: this very file stands in for an image or a video.
HERE = Path(__file__).resolve()

Data = dict[str, Any]
Draw = Callable[[st.SearchStrategy[Any]], Any]

# --- valid requests ---------------------------------------------------------------------------

_segment = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=10)
_host = st.builds("{}.{}".format, _segment, st.sampled_from(["com", "cn", "net", "aliyuncs.com"]))


def _remote(extension: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda scheme, host, parts: f"{scheme}://{host}/{'/'.join(parts)}.{extension}",
        st.sampled_from(["http", "https", "oss", "HTTPS"]),
        _host,
        st.lists(_segment, min_size=1, max_size=3),
    )


_local = st.sampled_from([str(HERE), HERE, HERE.as_uri()])
IMAGES = st.one_of(_remote("png"), _remote("jpg"), _local)
VIDEOS = st.one_of(_remote("mp4"), _local)
# Rust's regex (pydantic) and Python disagree on a few exotic spaces; keep prompts unambiguous.
PROMPTS = st.text(
    st.characters(exclude_categories=["Cs", "Zs", "Zl", "Zp", "Cc"]) | st.sampled_from(" \n"),
    min_size=1,
    max_size=800,
).filter(lambda text: text.strip() != "")
SCALES = st.floats(min_value=1.0, max_value=2.0)
UNIT = st.floats(min_value=0.0, max_value=1.0)

COMMON_OPTIONAL = {
    "negative_prompt": st.text(max_size=500),
    "prompt_extend": st.booleans(),
    "seed": st.integers(0, SEED_MAX),
    "watermark": st.booleans(),
    "safety_filter": st.booleans(),
}
MEDIA_KIND = {
    "ref_images_url": "image",
    "mask_image_url": "image",
    "first_frame_url": "image",
    "last_frame_url": "image",
    "video_url": "video",
    "mask_video_url": "video",
    "first_clip_url": "video",
    "last_clip_url": "video",
}
ENDS = ("first_frame_url", "last_frame_url", "first_clip_url", "last_clip_url")


def _with_optional(draw: Draw, data: Data, optional: dict[str, st.SearchStrategy[Any]]) -> Data:
    return {**data, **draw(st.fixed_dictionaries({}, optional={**COMMON_OPTIONAL, **optional}))}


@st.composite
def image_reference(draw: Draw) -> Data:
    count = draw(st.integers(1, 3))
    data: Data = {
        "function": "image_reference",
        "prompt": draw(PROMPTS),
        "ref_images_url": draw(st.lists(IMAGES, min_size=count, max_size=count)),
    }
    if count > 1 or draw(st.booleans()):
        roles = ["obj"] * count
        background = draw(st.none() | st.integers(0, count - 1))
        if background is not None:
            roles[background] = "bg"
        data["obj_or_bg"] = roles
    return _with_optional(draw, data, {"size": st.sampled_from(SIZES), "duration": st.just(5)})


@st.composite
def video_repainting(draw: Draw) -> Data:
    data: Data = {
        "function": "video_repainting",
        "prompt": draw(PROMPTS),
        "video_url": draw(VIDEOS),
        "control_condition": draw(
            st.sampled_from(["posebodyface", "posebody", "depth", "scribble"])
        ),
    }
    return _with_optional(
        draw, data, {"strength": UNIT, "ref_images_url": st.lists(IMAGES, max_size=1)}
    )


@st.composite
def video_edit(draw: Draw) -> Data:
    data: Data = {"function": "video_edit", "prompt": draw(PROMPTS), "video_url": draw(VIDEOS)}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "ref_images_url": st.lists(IMAGES, max_size=1),
        "control_condition": st.sampled_from(["posebodyface", "depth", ""]),
        "size": st.sampled_from(SIZES),
        "duration": st.just(5),
    }
    if draw(st.booleans()):
        data["mask_image_url"] = draw(IMAGES)
        optional["mask_frame_id"] = st.integers(1, 10_000)
        mask_type = draw(st.sampled_from([None, "tracking", "fixed"]))
        if mask_type is not None:
            data["mask_type"] = mask_type
        if mask_type != "fixed":
            optional["expand_ratio"] = UNIT
            optional["expand_mode"] = st.sampled_from(["hull", "bbox", "original"])
    else:
        data["mask_video_url"] = draw(VIDEOS)
    return _with_optional(draw, data, optional)


@st.composite
def video_extension(draw: Draw) -> Data:
    ends = draw(st.sets(st.sampled_from(ENDS), min_size=1))
    data: Data = {"function": "video_extension", "prompt": draw(PROMPTS)}
    for end in ends:
        data[end] = draw(IMAGES if end.endswith("frame_url") else VIDEOS)
    if draw(st.booleans()):
        data["video_url"] = draw(VIDEOS)
        data["control_condition"] = draw(st.sampled_from(["posebodyface", "depth"]))
    return _with_optional(draw, data, {"duration": st.just(5)})


@st.composite
def video_outpainting(draw: Draw) -> Data:
    data: Data = {
        "function": "video_outpainting",
        "prompt": draw(PROMPTS),
        "video_url": draw(VIDEOS),
    }
    sides = ("top_scale", "bottom_scale", "left_scale", "right_scale")
    return _with_optional(draw, data, {"duration": st.just(5), **dict.fromkeys(sides, SCALES)})


VALID: dict[str, st.SearchStrategy[Data]] = {
    "image_reference": image_reference(),
    "video_repainting": video_repainting(),
    "video_edit": video_edit(),
    "video_extension": video_extension(),
    "video_outpainting": video_outpainting(),
}
valid_requests = st.sampled_from(FUNCTIONS).flatmap(lambda function: VALID[function])


# --- breaking exactly one rule ----------------------------------------------------------------


@dataclass
class Broken:
    kind: str
    function: str
    data: Data
    fields: frozenset[str]
    """The field (or, for "one of" rules, the fields) the problems may name."""


Breaker = Callable[[Draw, str, Data], tuple[Data, set[str]]]
Applies = Callable[[Data], bool]


@dataclass(frozen=True)
class Rule:
    name: str
    functions: tuple[str, ...]
    applies: Applies | None
    breaks: Breaker


RULES: list[Rule] = []
SOFT_RULES: list[Rule] = []


def breaks(*functions: str, when: Applies | None = None) -> Callable[[Breaker], Breaker]:
    """Register a way to break one rule of a valid request of ``functions`` (default: all)."""

    def register(func: Breaker) -> Breaker:
        RULES.append(Rule(func.__name__, functions or FUNCTIONS, when, func))
        return func

    return register


def trims(*functions: str, when: Applies | None = None) -> Callable[[Breaker], Breaker]:
    """Register a way past one soft limit (the service trims or ignores; reference section 0)."""

    def register(func: Breaker) -> Breaker:
        SOFT_RULES.append(Rule(func.__name__, functions or FUNCTIONS, when, func))
        return func

    return register


def _fields(function: str) -> set[str]:
    return set(MODELS[function].model_fields)


def _outside(low: float, high: float) -> st.SearchStrategy[float]:
    # Margins keep -0.0 and rounding-level values out: they are not "outside" for pydantic.
    return st.one_of(
        st.floats(max_value=low - 1e-9),
        st.floats(min_value=high + 1e-9),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )


def _not_one_of(allowed: set[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=15).filter(lambda s: s not in allowed and s != ""),
        # Sorted: a set's order changes from run to run, and the examples must not.
        st.sampled_from([*sorted(s.upper() for s in allowed if s), 0, 1.5, [], {}]),
    ).filter(lambda v: not isinstance(v, str) or v not in allowed)


@trims()
def prompt_too_long(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["prompt"] = draw(st.sampled_from("ab 猫é")) * draw(st.integers(801, 3000))
    if not data["prompt"].strip():
        data["prompt"] = "x" + data["prompt"]
    return data, {"prompt"}


@breaks()
def negative_prompt_too_long(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["negative_prompt"] = draw(st.sampled_from("ab 猫é")) * draw(st.integers(501, 3000))
    return data, {"negative_prompt"}


@breaks()
def prompt_blank(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["prompt"] = draw(st.text(" \t\n\r", max_size=20))
    return data, {"prompt"}


@breaks()
def prompt_wrong_type(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["prompt"] = draw(st.sampled_from([None, 42, 1.5, True, ["a"], {"text": "a"}]))
    return data, {"prompt"}


@breaks()
def required_missing(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    required = [
        name
        for name, info in MODELS[function].model_fields.items()
        if info.is_required() and name in data
    ]
    name = draw(st.sampled_from(required))
    del data[name]
    return data, {name}


@breaks()
def extra_field(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    own = _fields(function)
    others = sorted({n for m in MODELS.values() for n in m.model_fields} - own)
    invented = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
    name = draw(st.sampled_from([*others, "negative", "model", "input"]) | invented)
    if name in own:
        name += "_x"
    data[name] = draw(st.none() | st.booleans() | st.integers() | st.text(max_size=20))
    return data, {name}


@breaks()
def function_unknown(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    bad = st.text(max_size=20).filter(lambda s: s not in FUNCTIONS)
    data["function"] = draw(bad | st.sampled_from([None, 3, function.upper(), function + " "]))
    return data, {"function"}


@breaks()
def function_missing(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    del data["function"]
    return data, {"function"}


@breaks()
def seed_invalid(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["seed"] = draw(
        st.integers(max_value=-1)
        | st.integers(min_value=SEED_MAX + 1)
        | st.sampled_from([0.5, 1e20, True, "lucky", [], math.nan])
    )
    return data, {"seed"}


@breaks()
def flag_invalid(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    name = draw(st.sampled_from(["prompt_extend", "watermark", "safety_filter"]))
    data[name] = draw(st.sampled_from(["maybe", "sure", 2, -1, 0.5, [], {}, "truthy"]))
    return data, {name}


@breaks()
def number_out_of_range(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    options: list[tuple[str, st.SearchStrategy[Any]]] = []
    if function == "video_repainting":
        options.append(("strength", _outside(0.0, 1.0)))
    if function == "video_outpainting":
        side = draw(st.sampled_from(["top_scale", "bottom_scale", "left_scale", "right_scale"]))
        options.append((side, _outside(1.0, 2.0)))
    if function == "video_edit" and "mask_image_url" in data:
        options.append(("mask_frame_id", st.integers(max_value=0)))
        if data.get("mask_type") != "fixed":
            options.append(("expand_ratio", _outside(0.0, 1.0)))
    if "duration" in _fields(function):
        options.append(("duration", st.integers().filter(lambda n: n != 5) | st.just(5.5)))
    name, values = draw(st.sampled_from(options))
    data[name] = draw(values | st.just(True) | st.just("big"))
    return data, {name}


@breaks("image_reference", "video_repainting", "video_edit", "video_extension")
def enum_invalid(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    options: list[tuple[str, set[str]]] = []
    if function == "video_repainting":
        options.append(("control_condition", {"posebodyface", "posebody", "depth", "scribble"}))
    if function in ("video_edit", "video_extension"):
        # "" means "none" for these two, so it is not a wrong value.
        options.append(("control_condition", {"posebodyface", "depth", ""}))
    if function in ("image_reference", "video_edit"):
        options.append(("size", set(SIZES)))
    if function == "video_edit" and "mask_image_url" in data:
        options.append(("mask_type", {"tracking", "fixed"}))
        if data.get("mask_type") != "fixed":
            options.append(("expand_mode", {"hull", "bbox", "original"}))
    name, allowed = draw(st.sampled_from(options))
    data[name] = draw(_not_one_of(allowed))
    return data, {name}


@breaks("image_reference", when=lambda d: "obj_or_bg" in d)
def role_invalid(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    roles = list(data["obj_or_bg"])
    roles[draw(st.integers(0, len(roles) - 1))] = draw(_not_one_of({"obj", "bg"}))
    data["obj_or_bg"] = roles
    return data, {"obj_or_bg"}


@breaks("image_reference", "video_repainting", "video_edit")
def reference_count(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    # image_reference: more than 3 are dropped, not refused (see extra_references).
    count = 0 if function == "image_reference" else draw(st.integers(2, 4))
    data["ref_images_url"] = draw(st.lists(IMAGES, min_size=count, max_size=count))
    return data, {"ref_images_url"}


@trims("image_reference")
def extra_references(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    count = draw(st.sampled_from([4, 5, 9]))
    data["ref_images_url"] = draw(st.lists(IMAGES, min_size=count, max_size=count))
    roles = draw(st.sampled_from([3, count]))
    data["obj_or_bg"] = ["obj"] * roles
    return data, {"ref_images_url", "obj_or_bg"}


@breaks("image_reference")
def roles_mismatch(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    count = len(data["ref_images_url"])
    choices = ["length"] + (["two_bg", "missing"] if count > 1 else [])
    match draw(st.sampled_from(choices)):
        case "length":
            length = draw(st.sampled_from([n for n in (1, 2, 3) if n != count]))
            data["obj_or_bg"] = ["obj"] * length
        case "two_bg":
            data["obj_or_bg"] = ["bg", "bg"] + ["obj"] * (count - 2)
        case _:
            data.pop("obj_or_bg", None)
    return data, {"obj_or_bg"}


_MASK_DEPENDENTS = ("mask_frame_id", "mask_type", "expand_ratio", "expand_mode")


@breaks("video_edit")
def mask_not_exactly_one(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    if draw(st.booleans()):
        data.setdefault("mask_image_url", draw(IMAGES))
        data.setdefault("mask_video_url", draw(VIDEOS))
    else:
        for name in ("mask_image_url", "mask_video_url", *_MASK_DEPENDENTS):
            data.pop(name, None)
    return data, {"mask_image_url", "mask_video_url"}


@breaks("video_edit", when=lambda d: "mask_image_url" not in d)
def frame_without_mask_image(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["mask_frame_id"] = draw(st.sampled_from([1, 40]))
    return data, {"mask_frame_id"}


@trims("video_edit", when=lambda d: "mask_image_url" not in d)
def mask_option_with_mask_video(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    name, value = draw(
        st.sampled_from(
            [
                ("mask_type", "tracking"),
                ("mask_type", "fixed"),
                ("expand_ratio", 0.05),
                ("expand_mode", "bbox"),
            ]
        )
    )
    data[name] = value
    return data, {name}


@trims("video_edit", when=lambda d: "mask_image_url" in d)
def expand_when_fixed(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    data["mask_type"] = "fixed"
    if "expand_ratio" not in data and "expand_mode" not in data:
        name = draw(st.sampled_from(["expand_ratio", "expand_mode"]))
        data[name] = draw(UNIT) if name == "expand_ratio" else "hull"
    return data, {"expand_ratio", "expand_mode"}


@breaks("video_extension")
def extension_without_ends(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    for end in ENDS:
        data.pop(end, None)
    return data, set(ENDS)


@breaks("video_extension")
def motion_without_condition(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    if "video_url" in data:
        del data["control_condition"]
    else:
        data["control_condition"] = draw(st.sampled_from(["posebodyface", "depth"]))
    return data, {"control_condition"}


_BAD_REFERENCES = st.one_of(
    st.builds("{}://example.com/{}".format, st.sampled_from(["ftp", "s3", "gs", "rtsp"]), _segment),
    st.sampled_from(["https://", "http:///a.png", "oss://", "", "   ", "file://server/x.png"]),
    st.builds("/no-such-dir-{}/{}.png".format, _segment, _segment),
    st.sampled_from(["x" * 5000, "/tmp/" + "y" * 300 + ".png", "a\x00b.png"]),
    st.builds("www.{}.com/{}.png".format, _segment, _segment),
    st.sampled_from([42, 1.5, True, {"url": "https://a.com/x.png"}, b"https://a.com/x.png"]),
)


@breaks()
def media_invalid(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    present = sorted(name for name in MEDIA_KIND if data.get(name))
    name = draw(st.sampled_from(present))
    # Chinese characters are refused in every media URL, images and videos alike.
    ext = "png" if MEDIA_KIND[name] == "image" else "mp4"
    bad = _BAD_REFERENCES | st.builds(f"https://example.com/{{}}图片.{ext}".format, _segment)
    value = draw(bad)
    if isinstance(data[name], list):
        refs = list(data[name])
        refs[draw(st.integers(0, len(refs) - 1))] = value
        data[name] = refs
    else:
        data[name] = value
    return data, {name}


@breaks(
    "image_reference",
    "video_repainting",
    "video_edit",
    when=lambda d: bool(d.get("ref_images_url")),
)
def list_given_as_one(draw: Draw, function: str, data: Data) -> tuple[Data, set[str]]:
    names = [n for n in ("ref_images_url", "obj_or_bg") if data.get(n)]
    name = draw(st.sampled_from(names))
    data[name] = data[name][0]
    return data, {name}


SOFT_CASES = [
    pytest.param(rule, function, id=f"{rule.name}-{function}")
    for rule in SOFT_RULES
    for function in rule.functions
]


@st.composite
def broken_requests(draw: Draw, rule: Rule, function: str) -> Broken:
    """A valid request of ``function`` with exactly ``rule`` broken."""
    valid = VALID[function]
    if rule.applies is not None:
        valid = valid.filter(rule.applies)
    data, fields = rule.breaks(draw, function, dict(draw(valid)))
    return Broken(rule.name, function, data, frozenset(fields))


# Every rule is broken in every function it applies to, each pair with its own examples: the
# coverage does not depend on how hypothesis happens to spread its draws.
CASES = [
    pytest.param(rule, function, id=f"{rule.name}-{function}")
    for rule in RULES
    for function in rule.functions
]


def _top(field: str) -> str:
    return field.split("[", 1)[0]


# --- the properties ---------------------------------------------------------------------------


def test_enough_invalid_requests() -> None:
    assert len(CASES) * INVALID_EXAMPLES_PER_CASE >= 1000


@pytest.mark.parametrize(("rule", "function"), CASES)
def test_broken_requests_are_rejected_naming_the_broken_field(rule: Rule, function: str) -> None:
    checked = 0

    @fuzz(INVALID_EXAMPLES_PER_CASE)
    @given(broken_requests(rule, function))
    def check(case: Broken) -> None:
        nonlocal checked
        with pytest.raises(InvalidRequest) as caught:
            validate_request(case.data)
        problems = caught.value.problems
        assert problems
        for problem in problems:
            assert problem.field, problem
            assert _top(problem.field) in case.fields, problem
            assert problem.message.startswith(f"{problem.field}: "), problem
            assert "(got " in problem.message, problem
        if "function" not in case.fields:
            assert caught.value.function == case.function
        checked += 1

    check()
    assert checked >= INVALID_EXAMPLES_PER_CASE


@pytest.mark.parametrize(("rule", "function"), SOFT_CASES)
def test_trimmed_requests_are_accepted_with_a_warning(rule: Rule, function: str) -> None:
    checked = 0

    @fuzz(INVALID_EXAMPLES_PER_CASE)
    @given(broken_requests(rule, function))
    def check(case: Broken) -> None:
        nonlocal checked
        request = validate_request(case.data)
        warnings = request.warnings()
        assert warnings
        for warning in warnings:
            assert warning.severity == "warning", warning
            assert _top(warning.field) in case.fields, warning
            assert warning.message.startswith(f"{warning.field}: "), warning
            assert "(got " in warning.message, warning
        checked += 1

    check()
    assert checked >= INVALID_EXAMPLES_PER_CASE


@fuzz(VALID_EXAMPLES)
@given(valid_requests)
def test_valid_requests_warn_about_nothing(data: Data) -> None:
    assert validate_request(data).warnings() == []


@fuzz(VALID_EXAMPLES)
@given(valid_requests)
def test_valid_requests_round_trip(data: Data) -> None:
    request = validate_request(data)
    assert type(request) is MODELS[data["function"]]
    sent = request.api_fields()
    assert set(sent) <= set(data)
    again = validate_request(sent)
    assert again == request
    assert again.api_fields() == sent
    for name, refs in request.media().items():
        assert name in request.MEDIA_FIELDS
        assert all(isinstance(ref, str) and ref.strip() == ref for ref in refs)
    assert request.local_media() == [
        ref for refs in request.media().values() for ref in refs if is_local(ref)
    ]
    assert all(ref == str(HERE) for ref in request.local_media())


@fuzz(VALID_EXAMPLES)
@given(valid_requests)
def test_valid_requests_built_from_the_model_match(data: Data) -> None:
    """Building the model directly gives the same request as the union."""
    request = validate_request(data)
    fields = {k: v for k, v in data.items() if k != "function"}
    assert MODELS[data["function"]](**fields) == request

"""Pure image operations shared by the simulator's renderer and (later) the widget's live previews.

Everything here works on NumPy arrays (Pillow is used only for text, line drawing and fast box
blurs) and does no file or network I/O, so a preview can call the same code the simulator renders
with. Modules:

- :mod:`.arrays`  — array type aliases and the even-size rounding every 4:2:0 frame needs.
- :mod:`.yuv`     — planar YUV 4:2:0 frames, RGB ⇄ YUV (BT.601, limited range), overlays.
- :mod:`.control` — control conditions: scribble, depth, posebody, posebodyface.
- :mod:`.masks`   — mask binarisation and expansion (original / bbox / hull with ``expand_ratio``).
- :mod:`.motion`  — translation tracking of a masked patch (phase correlation).
- :mod:`.canvas`  — outpainting geometry, 720p fitting and the border fill.
- :mod:`.caption` — the prompt caption drawn over every frame.
"""

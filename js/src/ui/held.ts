// The banner shown while submissions are held: the provider refused a submit for billing,
// entitlement or quota reasons, so every further submit would be refused the same way. It says why
// (the provider's code and message, and the fix in words) and offers Resume submissions, which asks
// the kernel to send the waiting tasks again (Python: `studio.resume_submissions()`).

import { h } from "../form/dom";
import { type Channel, RequestError } from "../messages";

export interface HeldBanner {
  el: HTMLElement;
  /** The `submissions_held` trait: the reason, or "" when submissions flow. */
  update(reason: string): void;
}

export function createHeldBanner(channel: Channel): HeldBanner {
  const text = h("p", { class: "vs-held-text" });
  const resume = h(
    "button",
    { type: "button", class: "vs-button vs-primary vs-resume" },
    "Resume submissions",
  );
  const answer = h("span", { class: "vs-held-answer", "aria-live": "polite" });
  const el = h("div", { class: "vs-held-banner", hidden: true }, text, resume, answer);
  resume.addEventListener("click", async () => {
    resume.disabled = true;
    answer.textContent = "";
    try {
      await channel.request("resume");
    } catch (error) {
      answer.textContent = error instanceof RequestError ? error.message : String(error);
    } finally {
      resume.disabled = false;
    }
  });
  return {
    el,
    update(reason) {
      text.replaceChildren(
        h("strong", {}, "Submissions are paused. "),
        reason,
        " Waiting tasks keep their place.",
      );
      el.hidden = !reason;
      // An alert only while shown: a hidden one would still be found as the page's alert.
      if (reason) el.setAttribute("role", "alert");
      else el.removeAttribute("role");
    },
  };
}

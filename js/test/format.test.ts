import { describe, expect, it } from "vitest";
import { classPlace } from "../src/ui/card";
import { ordinal, roughly } from "../src/ui/format";

describe("a class card's place in line", () => {
  it("reads as an ordinal, the teens included", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "23rd",
      "101st",
      "111th",
    ]);
  });

  it("gives a rough wait, since the estimate is rough", () => {
    expect([0, 59, 60, 130, 5399, 5400, 9000].map(roughly)).toEqual([
      "under a minute",
      "under a minute",
      "about 1 min",
      "about 2 min",
      "about 90 min",
      "about 1.5 h",
      "about 2.5 h",
    ]);
    expect(classPlace(3, 130)).toBe("3rd in the class queue · about 2 min");
    expect(classPlace(1, 0)).toBe("1st in the class queue · up next");
    expect(classPlace(7, null)).toBe("7th in the class queue");
  });
});

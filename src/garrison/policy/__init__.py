"""decide: waivers and baselines suppress (never drop); the gate decides pass/fail as a pure function."""

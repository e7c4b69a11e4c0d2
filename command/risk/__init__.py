"""Risk assessment: grading methods, the register, self-inspection, rating and enforcement."""

"""Risk control (issue #13): the hidden-hazard closed loop, grid roll-ups and notifications."""

"""From a contact log to scenario inputs: a generated history, fitted distributions and a forecast."""

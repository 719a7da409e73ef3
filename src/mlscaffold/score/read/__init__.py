"""Reading a repository: list its files safely, read each file a check needs once, keep facts."""

"""The fault suite: a package, so its shared kernel (package scope) stops when the suite is done
instead of staying up through the rest of the test session."""

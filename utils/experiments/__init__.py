"""Many runs: seed studies, the trials and searches on the validation split (``runner``), and the decision rules
that judge them (``trials``), each committed before the runs it judges."""

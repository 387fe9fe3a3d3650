"""Many runs: seed studies, the trials and searches on the validation split (``runner``, one resume-and-record loop),
each round's candidates and the rule that judged it, committed before its runs (``round1``, ``round2``, ``search2``,
``round3``), the statistics the rules share (``trials``) and the loaders of a phase's records (``loaders``)."""

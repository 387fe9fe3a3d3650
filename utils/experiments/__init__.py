"""Many runs: the experiment driver (``driver``: a round is a ``Plan``, ``run_plan`` runs it), the rounds that run
now (``phase4_round4``, ``phase5_round4``) and the two that chose today's recipes (``round3``, ``frontier``), the
statistics the rules share (``trials``), the runner of seed studies and worker processes (``runner``) and the loaders
of a phase's records (``loaders``)."""

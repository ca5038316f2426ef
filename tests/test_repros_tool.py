"""tools.repros runs a repro that sets up its process (an environment variable before the library's import) in an
interpreter of its own, with that variable set from the start, as it has when pasted."""

from __future__ import annotations

from tensorcts.tools import repros


def test_the_environment_a_repro_sets_is_read_from_its_code():
    code = "import os\nos.environ['XLA_FLAGS'] = '--xla_force_host_platform_device_count=2'\nimport jax\n"
    assert repros._environment_of(code) == {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    assert repros._environment_of("import numpy as np\nprint(np.ones(2))") == {}


def test_a_repro_that_sets_its_environment_has_it_from_the_start_and_the_others_do_not():
    """The driver imports the library before a repro runs, so the variable must be set before the repro's own
    assignment: the assert on line 2 fails unless the repro ran in a process started with it."""
    setting = "import os\nassert os.environ.get('TENSORCTS_REPRO_PROBE') == 'set'\nos.environ['TENSORCTS_REPRO_PROBE'] = 'set'"
    plain = "import os\nassert 'TENSORCTS_REPRO_PROBE' not in os.environ"
    got = repros.run_repros([plain, setting, plain], adapter=None)
    assert [r["raised"] for r in got] == [None, None, None], got

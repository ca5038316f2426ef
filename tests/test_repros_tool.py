"""tools.repros runs a repro that sets up its process (an environment variable before the library's import) in an
interpreter of its own, with that variable set from the start, as it has when pasted."""

from __future__ import annotations

from tensorcts.tools import repros


def test_the_environment_a_repro_sets_is_read_from_its_code():
    code = "import os\nos.environ['XLA_FLAGS'] = '--xla_force_host_platform_device_count=2'\nimport jax\n"
    assert repros._environment_of(code) == {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    assert repros._environment_of("import numpy as np\nprint(np.ones(2))") == {}


def test_a_repro_that_sets_its_environment_sees_it_and_the_others_share_an_interpreter():
    setting = "import os\nos.environ['TENSORCTS_REPRO_PROBE'] = 'set'\nprint(os.environ['TENSORCTS_REPRO_PROBE'])"
    plain = "import os\nprint(os.environ.get('TENSORCTS_REPRO_PROBE', 'unset'))"
    got = repros.run_repros([plain, setting, plain], adapter=None)
    assert [r["raised"] for r in got] == [None, None, None]
    assert all(r["printed"] for r in got)

"""The ntuple cache keys of every search are the same in every process: a later run (another
process, another string-hash seed) finds the ntuples an earlier one wrote."""

import hashlib
import os
import subprocess
import sys

SCRIPT = """
import hashlib
from darkscan import searches
from darkscan.searches.runner import _channel_samples, kept_columns
from darkscan.searches.samples import ntuple_key

h = hashlib.sha256()
for name in sorted(searches.SEARCHES):
    if not searches.is_ready(name):
        continue
    s = searches.get(name)
    points = s.signal.points(True)
    for ch in s.channels:
        for sid, (spec, params) in sorted(_channel_samples(s, ch, points).items()):
            key = ntuple_key(spec, params, decay=ch.decay, best=ch.best_candidate,
                             columns=ch.columns(kept_columns(s)), n=1000, seed=1,
                             lists=ch.lists)
            h.update(f"{name} {ch.name} {sid} {key}".encode())
print(h.hexdigest())
"""


def _digest(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_ntuple_keys_do_not_depend_on_the_string_hash_seed() -> None:
    first, second = _digest("1"), _digest("2")
    assert len(first) == len(hashlib.sha256().hexdigest())
    assert first == second

"""The restricted expression parser (darkscan.expr, shared by reco and select): valid
expressions, forbidden constructs, unknown names."""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.errors import UnknownNameError
from darkscan.expr import Cut, CutError, evaluate

COLS = {"M": np.array([0.5, 1.0, 2.0, 3.0]), "p_cms": np.array([1.0, 2.0, 3.0, 4.0]),
        "muonID": np.array([0.95, 0.2, 0.99, 0.91])}


def test_valid_expressions() -> None:
    assert evaluate("M > 0.9", COLS).tolist() == [False, True, True, True]
    assert evaluate("0.9 < M <= 2", COLS).tolist() == [False, True, True, False]
    assert evaluate("abs(M - 2) < 1.6 and not muonID < 0.9", COLS).tolist() == [True, False,
                                                                                True, True]
    assert evaluate("M < 0.6 or p_cms >= 4", COLS).tolist() == [True, False, False, True]
    assert np.allclose(evaluate("-M * 2 + p_cms / 2", COLS), -2 * COLS["M"] + COLS["p_cms"] / 2)
    assert evaluate("M == 1 or M != M", COLS).tolist() == [False, True, False, False]
    assert evaluate("1e-1 < +M", COLS).all()
    assert Cut.parse("abs(M) < p_cms").names == ("M", "p_cms")
    assert Cut.parse("p_cms > 1 and (M < 2 or p_cms < 3)").names == ("p_cms", "M")


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hi')", "M.real > 0", "M[0] > 1", "sqrt(M) > 1",
    "abs(M, 2) > 1", "lambda: 1", "M ** 2 > 1", "'a' == 'a'", "M if M else M", "[M][0]",
    "M > True", "M in p_cms", "(M := 1)", "__class__", "abs(x=M) > 1", "M // 2", "M @ M",
])
def test_forbidden_constructs(text: str) -> None:
    with pytest.raises(CutError):
        Cut.parse(text)


def test_error_messages_name_the_problem() -> None:
    with pytest.raises(CutError, match="sqrt"):
        evaluate("sqrt(M) > 1", COLS)
    with pytest.raises(CutError, match="attribute"):
        evaluate("M.real > 1", COLS)
    with pytest.raises(UnknownNameError, match="'Mbc'"):
        evaluate("Mbc > 5.27", COLS)
    with pytest.raises(CutError, match="cannot parse"):
        evaluate("M >", COLS)

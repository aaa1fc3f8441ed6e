import numpy as np
import pytest

from noisy_sklearn.__main__ import main

pd = pytest.importorskip("pandas")


@pytest.fixture
def table_file(tmp_path):
    rng = np.random.RandomState(0)
    n = 300
    label = rng.randint(0, 3, n)
    frame = pd.DataFrame(
        {
            "x1": rng.randn(n) + 3 * label,
            "x2": rng.randn(n) - 2 * label,
            "colour": rng.choice(["red", "blue"], n),
            "species": np.array(["ant", "bee", "cat"])[label],
        }
    )
    wrong = np.flatnonzero(label[:20] != 2)
    frame.loc[wrong, "species"] = "cat"
    path = tmp_path / "animals.csv"
    frame.to_csv(path, index=False)
    return path, set(wrong.tolist())


def test_audit_writes_suspicious_rows_and_t(table_file, tmp_path, capsys):
    output = tmp_path / "issues.csv"
    path, wrong = table_file
    status = main(["audit", str(path), "--target", "species", "--output", str(output)])
    assert status == 0
    issues = pd.read_csv(output, index_col=0)
    assert list(issues.columns[:3]) == [
        "given_label",
        "suggested_label",
        "label_quality",
    ]
    assert issues["label_quality"].is_monotonic_increasing
    found = wrong & set(issues.index)
    assert len(found) >= 0.5 * len(wrong)
    assert len(found) >= 0.8 * len(issues)
    assert np.all(issues["suggested_label"] != issues["given_label"])
    T = pd.read_csv(tmp_path / "issues_transition_matrix.csv", index_col=0)
    assert T.shape == (3, 3)
    np.testing.assert_allclose(T.sum(axis=1), 1.0, atol=1e-5)
    assert "fold 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["audit", "missing.csv", "--target", "y"], "no such file"),
        (["audit", "{file}", "--target", "label"], "no column 'label'"),
        (["audit", "{file}", "--target", "species", "--drop", "nope"], "--drop"),
    ],
)
def test_audit_input_errors_are_clear(table_file, capsys, argv, message):
    argv = [arg.format(file=table_file[0]) for arg in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_audit_rejects_a_single_class(tmp_path, capsys):
    path = tmp_path / "one.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "a", "a"]}).to_csv(path)
    assert main(["audit", str(path), "--target", "y"]) == 2
    assert "1 class" in capsys.readouterr().err


def test_audit_rejects_free_text_features(tmp_path, capsys):
    path = tmp_path / "text.csv"
    n = 120
    pd.DataFrame(
        {"note": [f"note {i}" for i in range(n)], "y": np.arange(n) % 2}
    ).to_csv(path, index=False)
    assert main(["audit", str(path), "--target", "y"]) == 2
    assert "--drop 'note'" in capsys.readouterr().err


def test_audit_reads_parquet(table_file, tmp_path):
    pytest.importorskip("pyarrow")
    path, _ = table_file
    parquet = tmp_path / "animals.parquet"
    pd.read_csv(path).to_parquet(parquet)
    assert (
        main(["audit", str(parquet), "--target", "species", "--model", "forest"]) == 0
    )
    issues = pd.read_csv(tmp_path / "animals_label_issues.csv", index_col=0)
    assert {"given_label", "suggested_label", "label_quality"} <= set(issues.columns)

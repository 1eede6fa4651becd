"""Loading: what is refused, with where and why; what is accepted, and how it is read."""

import os

import numpy as np
import pytest
import yaml

from cecli import data, yamldata
from cecli.errors import DataError


def refused(path, **kwargs) -> DataError:
    with pytest.raises(DataError) as caught:
        data.load(path, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(os.fspath(path))
    return caught.value


# --- files that cannot be read --------------------------------------------------------------

def test_missing_file(tmp_path):
    assert "no such file" in str(refused(str(tmp_path / "nope.csv")))


def test_a_directory(tmp_path):
    folder = tmp_path / "d.csv"
    folder.mkdir()
    assert "is a directory" in str(refused(str(folder)))


def test_unreadable_file(write, monkeypatch):
    path = write("secret.csv", "a,t\n1,0\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data, "open", denied, raising=False)  # chmod does not stop root
    assert "permission denied" in str(refused(path))


def test_binary_garbage_is_not_utf8(write):
    error = refused(write("junk.csv", b"a,t\n1,0\n\xff\xfe\x00\x81,1\n"))
    assert "not UTF-8" in error.message and error.line == 3


def test_unsupported_extension_lists_the_supported_ones(write):
    message = str(refused(write("d.xlsx", "a,t\n1,0\n")))
    assert "'.xlsx'" in message and ".csv" in message and ".yaml" in message


# --- CSV refusals ---------------------------------------------------------------------------

def test_empty_file(write):
    assert "empty file" in str(refused(write("e.csv", "")))


def test_header_only(write):
    assert "header only" in str(refused(write("h.csv", "a,b,target\n")))


def test_ragged_row_names_line_and_counts(write):
    error = refused(write("r.csv", "a,b,target\n1,2,0\n1,2\n"))
    assert error.line == 3 and "2 fields, but the header has 3" in error.message


def test_non_numeric_cell_names_value_line_and_column(write):
    error = refused(write("n.csv", "a,b,target\n1,2,0\n1,abc,1\n"))
    assert (error.line, error.column) == (3, "b") and "'abc' is not a number" in error.message


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_nan_and_infinite_values(write, value):
    error = refused(write("f.csv", f"a,target\n{value},1\n"))
    assert error.line == 2 and "not a finite number" in error.message


def test_digit_separators_are_not_numbers(write):
    assert "'1_000' is not a number" in str(refused(write("u.csv", "a,target\n1_000,1\n")))


def test_empty_target_cell(write):
    error = refused(write("t.csv", "a,target\n1,\n"))
    assert (error.line, error.column) == (2, "target") and "empty cell" in error.message


def test_targets_outside_0_1_name_the_row_and_list_the_values(write):
    error = refused(write("t.csv", "a,target\n1,0\n2,1\n3,2\n4,-1\n"))
    assert error.line == 4 and "target 2 must be 0 or 1" in error.message
    assert "the targets take the values -1, 0, 1, 2" in error.message


def test_soft_labels_are_refused_and_said_to_be_soft(write):
    error = refused(write("s.csv", "a,target\n1,0.3\n"))
    assert "soft label" in error.message


def test_soft_labels_are_read_when_asked_for(write):
    assert data.load(write("s.csv", "a,target\n1,0.3\n"), soft_labels=True).t.tolist() == [0.3]


def test_unknown_target_column_lists_the_columns(write):
    message = str(refused(write("c.csv", "a,b\n1,0\n"), target="label"))
    assert "no column named 'label'" in message and "a, b" in message


def test_duplicate_and_empty_column_names(write):
    assert "appears twice" in str(refused(write("d.csv", "a,a,target\n1,2,0\n")))
    assert "has no name" in str(refused(write("d.csv", "a,,target\n1,2,0\n")))


def test_a_single_column_has_no_features(write):
    assert "at least one feature" in str(refused(write("one.csv", "target\n1\n")))


def test_unterminated_quote(write):
    assert "malformed CSV" in str(refused(write("q.csv", 'a,target\n"1,0\n')))


# --- what CSV accepts -----------------------------------------------------------------------

def test_bom_crlf_trailing_blank_lines_spaces_and_quotes(write):
    text = '\ufeff x1 , "x 2",target\r\n 0.5 , "-1", TRUE \r\n2,3,false\r\n\r\n\r\n'
    ds = data.load(write("messy.csv", text))
    assert ds.names == ("x1", "x 2") and ds.target_name == "target"
    assert ds.X.tolist() == [[0.5, -1.0], [2.0, 3.0]] and ds.t.tolist() == [1.0, 0.0]


def test_integer_columns_become_float64(write):
    ds = data.load(write("i.csv", "a,b,y\n1,2,1\n3,4,0\n"))
    assert ds.X.dtype == np.float64 and ds.t.dtype == np.float64 and ds.X.shape == (2, 2)


@pytest.mark.parametrize("header, target", [("a,label,b", "label"), ("y,a,b", "y"), ("a,b,c", "c"),
                                            ("Target,a,b", "Target")])
def test_target_column_is_found_by_name_else_last(write, header, target):
    ds = data.load(write("t.csv", header + "\n1,0,1\n"))
    assert ds.target_name == target and target not in ds.names


def test_explicit_target_wins(write):
    ds = data.load(write("t.csv", "a,b,target\n1,0,5\n"), target="b")
    assert ds.names == ("a", "target") and ds.t.tolist() == [0.0]


# --- YAML -----------------------------------------------------------------------------------

def yaml_refused(write, text):
    return refused(write("d.yaml", text))


def test_yaml_syntax_error_names_its_line(write):
    error = yaml_refused(write, "inputs:\n  - [1, 2\ntargets: [1]\n")
    assert "not valid YAML" in error.message and error.line == 3


@pytest.mark.parametrize("text, expected", [
    ("- 1\n- 2\n", "expected a mapping"),
    ("", "found an empty file"),
    ("targets: [1]\n", "missing key 'inputs'"),
    ("inputs: [[1]]\n", "missing key 'targets'"),
    ("inputs: 3\ntargets: [1]\n", "'inputs' must be a list"),
    ("inputs: [[1]]\ntargets: 1\n", "'targets' must be a list"),
    ("inputs: [[1], [2]]\ntargets: [1]\n", "'inputs' has 2 rows but 'targets' has 1"),
    ("inputs: [[1, 2], [3]]\ntargets: [1, 0]\n", "row 2 has 1 values, but row 1 has 2"),
    ("inputs: [[1, x]]\ntargets: [1]\n", "'x' is not a number"),
    ("inputs: [[1, true]]\ntargets: [1]\n", "True is not a number"),
    ("inputs: [1, 2]\ntargets: [1, 0]\n", "two-dimensional"),
    ("inputs: [[1]]\ntargets: [2]\n", "target 2 must be 0 or 1"),
    ("inputs: [[1]]\ntargets: [1]\nnames: [a, b]\n", "'names' must be a list of 1"),
    ("inputs: [[1]]\ntargets: [1]\ntarget: [1]\n", "unknown key 'target'"),
    ("inputs: []\ntargets: []\n", "'inputs' is empty"),
    ("inputs: [[.nan]]\ntargets: [1]\n", "not a finite number"),
])
def test_yaml_refusals(write, text, expected):
    assert expected in yaml_refused(write, text).message


def test_yaml_errors_name_the_line_of_the_bad_row(write):
    error = yaml_refused(write, "targets: [1, 0, 1]\ninputs:\n  - [1, 2]\n  - [3, 4]\n  - [5]\n")
    assert error.line == 5


def test_yaml_python_tags_are_refused_and_never_run(write, tmp_path):
    marker = tmp_path / "ran"
    text = f"inputs: !!python/object/apply:os.system ['touch {marker}']\ntargets: [1]\n"
    error = yaml_refused(write, text)
    assert "not valid YAML" in error.message and error.line == 1
    assert not marker.exists()


def test_yaml_uses_the_c_safe_loader_when_present():
    expected = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
    assert yamldata.Loader is expected


def test_yaml_reads_booleans_numeric_strings_and_yml(write):
    path = write("d.yml", "inputs: [[1, '2.5'], [3, 1e3]]\ntargets: [True, false]\n")
    ds = data.load(path)
    assert ds.X.tolist() == [[1.0, 2.5], [3.0, 1000.0]] and ds.t.tolist() == [1.0, 0.0]
    assert ds.names == ("x1", "x2")


def test_target_flag_is_refused_for_yaml(write):
    assert "--target applies to CSV" in str(refused(write("d.yaml", "inputs: [[1]]\ntargets: [1]\n"),
                                                    target="t"))

import pytest

import utils
from utils.commands.run import parse_value

@pytest.fixture
def good(tmp_path):
    return dict(epochs=15, seed=1, device="cpu", data_dir=None, results_dir=str(tmp_path / "results"),
                image_dir=str(tmp_path / "image"), limit_train=None, limit_test=None)


def test_good_parameters_pass_and_folders_are_made(good, tmp_path):
    params = utils.validate_parameters(**good)
    assert params["epochs"] == 15 and params["pipeline"] == "fast"
    assert (tmp_path / "results").is_dir() and (tmp_path / "image").is_dir()
    assert utils.validate_parameters(**{**good, "epochs": 20})["epochs"] == 20  # the verdict reports the limit broken


@pytest.mark.parametrize("name,value,allowed", [
    ("epochs", 0, "a positive int"), ("epochs", "three", "a positive int"), ("epochs", 2.5, "a positive int"),
    ("epochs", True, "a positive int"), ("seed", "1", "an int"), ("device", "gpu", "one of auto, cuda, mps, cpu"),
    ("limit_train", 0, "None or an int from 1 to 60,000"), ("limit_train", 60_001, "None or an int from 1 to 60,000"),
    ("limit_test", "all", "None or an int from 1 to 10,000"), ("limit_test", 10_001, "None or an int from 1 to 10,000"),
    ("limit_test", -1, "None or an int from 1 to 10,000"), ("limit_train", 2.5, "None or an int from 1 to 60,000"),
    ("limit_train", True, "None or an int from 1 to 60,000"), ("data_dir", "", "None"),
    ("pipeline", "dali", "one of fast, torchvision"),
])
def test_a_bad_value_names_the_parameter_the_value_and_what_is_allowed(good, name, value, allowed):
    with pytest.raises(utils.ParameterError) as error:
        utils.validate_parameters(**{**good, name: value})
    message = str(error.value)
    assert message.startswith(f"parameter {name}={value!r} is not allowed")
    assert allowed in message


def test_an_unknown_parameter_is_an_error(good):
    with pytest.raises(TypeError, match="study_seeds"):
        utils.validate_parameters(**good, study_seeds=[1, 2])


def test_unavailable_device_is_refused(good, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    with pytest.raises(utils.ParameterError, match="device='cuda' is not allowed: device 'cuda' was asked for"):
        utils.validate_parameters(**{**good, "device": "cuda"})


def test_an_unwritable_folder_is_refused(good, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(utils.ParameterError, match="image_dir=.* must be a writable folder"):
        utils.validate_parameters(**{**good, "image_dir": str(blocker / "image")})


def test_command_line_values_parse_like_papermill():
    assert parse_value("3") == 3 and parse_value("0.05") == 0.05 and parse_value("None") is None
    assert parse_value("three") == "three" and parse_value("cpu") == "cpu"


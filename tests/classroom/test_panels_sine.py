"""Notebook 07's panels (noise slider, retrain button) and its loss picture."""

import pytest
import torch

from lstm_course.classroom import panels, plots
from lstm_course.topics import sine
from lstm_course.topics.sine import CourseConfig

torch.set_num_threads(1)


def test_noise_slider_recomputes_floor_and_persistence():
    panel = panels.WhatIfPanel(device="cpu")
    assert panel.data.last.values["noise_floor"] == pytest.approx(0.01)
    panel.noise.value = 0.3
    values = panel.data.last.values
    noisy, _ = sine.article_data(0.3)
    assert values["noise_floor"] == pytest.approx(0.09)
    assert values["mse_persistence"] == pytest.approx(sine.persistence_mse(noisy))
    assert values["mse_persistence"] == pytest.approx(values["persistence_expected"], rel=0.25)
    assert panel.data.image.value[:4] == b"\x89PNG"


def test_retrain_button_trains_and_shows_the_result():
    config = CourseConfig(window=10, hidden=8, max_epochs=3, patience=5, val_size=50)
    panel = panels.WhatIfPanel(noise=0.2, config=config, device="cpu")
    panel.button.click()
    values = panel.last.values
    assert values["noise"] == 0.2 and values["epochs"] == 3 and panel.bar.value == 3
    assert values["noise_floor"] == pytest.approx(0.04)
    assert panel.image.value == panel.last.png and "free-run RMSE" in panel.readout.value
    assert not panel.button.disabled


@pytest.mark.parametrize("call, error, message", [
    (lambda: panels.noise_view(-0.1), ValueError, "noise must be in [0.0, 10.0], got -0.1"),
    (lambda: panels.noise_view("0.3"), TypeError, "noise must be a real number"),
    (lambda: panels.noise_view(0.1, seed=-1), ValueError, "seed must be an integer in [0, 4294967295], got -1"),
    (lambda: panels.retrain_view(float("nan")), ValueError, "noise must be in [0.0, 10.0], got nan"),
    (lambda: panels.retrain_view(0.1, config={"window": 10}), TypeError, "config must be CourseConfig, got dict"),
    (lambda: panels.retrain_view(0.1, on_epoch=3), TypeError, "on_epoch must be a function, got int"),
    (lambda: panels.WhatIfPanel(noise=0.9), ValueError, "noise must be in [0.0, 0.5], got 0.9"),
    (lambda: panels.WhatIfPanel(config=None), TypeError, "config must be CourseConfig, got NoneType"),
])
def test_bad_input_is_refused_with_its_name(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_loss_curve_png_is_a_picture():
    assert plots.loss_curve_png([0.5, 0.2, 0.1], [0.6, 0.3, 0.35])[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="train_losses must be 1-D"):
        plots.loss_curve_png([[0.5]], [])
    with pytest.raises(ValueError, match="val_losses has 4 values, more than the 3 epochs of train_losses"):
        plots.loss_curve_png([0.5, 0.2, 0.1], [0.6, 0.3, 0.35, 0.3])

"""Notebook 08's topic: the cell with switches, each variant's equations and parameters, the Bank, the ablation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.topics import variants as V
from tests.bad_input import assert_clear

D, H = 3, 5


def cell(**switches):
    torch.manual_seed(0)
    return V.VariantLSTM(D, H, **switches).double()


def probe(B=2, T=6):
    return torch.randn(B, T, D, generator=torch.Generator().manual_seed(1), dtype=torch.float64)


def test_vanilla_is_torchs_lstm_given_the_same_weights_and_the_same_seed():
    x = probe()
    torch.manual_seed(4)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    torch.manual_seed(4)
    same_seed = V.VariantLSTM(D, H).double()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        assert torch.equal(getattr(same_seed, name), getattr(lstm, f"{name}_l0"))
    other = cell()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(other, name).copy_(getattr(lstm, f"{name}_l0"))
    want, (h_T, c_T) = lstm(x)
    for variant in (same_seed, other):
        out, (h, c) = variant(x)
        assert torch.allclose(out, want, atol=1e-12) and torch.allclose(c, c_T[0], atol=1e-12)
        assert torch.allclose(h, h_T[0], atol=1e-12)


def reference(c: V.VariantLSTM, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Each variant's equations written out by hand, step by step (a second reading of the switches)."""
    Hs, sw = c.hidden_size, c.switches
    a_all = x @ c.weight_ih.T + c.bias_ih + c.bias_hh
    h = cs = torch.zeros(x.shape[0], Hs, dtype=x.dtype)
    out = {k: [] for k in ("i_t", "f_t", "g_t", "o_t", "c_t", "h_t")}
    peep = {b: (c.peephole[c.gated.index(b)] if c.peephole is not None and b in c.gated else 0.0) for b in "ifo"}
    for t in range(x.shape[1]):
        a = a_all[:, t] + h @ c.weight_hh.T
        block = {b: a[:, k * Hs:(k + 1) * Hs] for k, b in enumerate(c.blocks)}
        i = torch.sigmoid(block["i"] + peep["i"] * cs) if sw["input_gate"] else torch.ones_like(cs)
        if sw["coupled"]:
            f = 1 - i
        elif sw["forget_gate"]:
            f = torch.sigmoid(block["f"] + peep["f"] * cs)
        else:
            f = torch.ones_like(cs)
        g = torch.tanh(block["g"]) if sw["input_activation"] else block["g"]
        cs = f * cs + i * g
        o = torch.sigmoid(block["o"] + peep["o"] * cs) if sw["output_gate"] else torch.ones_like(cs)
        h = o * (torch.tanh(cs) if sw["output_activation"] else cs)
        for k, v in zip(out, (i, f, g, o, cs, h)):
            out[k].append(v)
    return {k: torch.stack(v, dim=1) for k, v in out.items()}


@pytest.mark.parametrize("variant", [v for v in V.VARIANTS if v != "GRU"])
def test_every_variant_computes_its_equations(variant):
    c = cell(**V.VARIANTS[variant])
    x = probe()
    got, want = c.trace(x), reference(c, x)
    for name in want:
        assert torch.allclose(got[name], want[name], atol=1e-12), (variant, name)


def test_switches_do_what_they_say():
    x = probe()
    nfg = cell(forget_gate=False).trace(x)
    assert torch.all(nfg["f_t"] == 1)                                               # the 1997 carousel
    assert torch.allclose(nfg["c_t"][:, 1:] - nfg["c_t"][:, :-1], (nfg["i_t"] * nfg["g_t"])[:, 1:], atol=1e-12)
    cifg = cell(coupled=True).trace(x)
    assert torch.allclose(cifg["f_t"], 1 - cifg["i_t"], atol=1e-15)
    assert torch.all(cell(input_gate=False).trace(x)["i_t"] == 1)
    assert torch.all(cell(output_gate=False).trace(x)["o_t"] == 1)
    noaf = cell(output_activation=False).trace(x)
    assert torch.allclose(noaf["h_t"], noaf["o_t"] * noaf["c_t"], atol=1e-15)
    niaf = cell(input_activation=False, forget_bias=None).trace(x * 20)
    assert niaf["g_t"].abs().max() > 1                                              # no tanh: g_t leaves [-1, 1]
    fb = cell(forget_bias=1.0)
    k = fb.blocks.index("f")
    assert torch.all(fb.bias_ih[k * H:(k + 1) * H] == 1) and torch.all(fb.bias_hh[k * H:(k + 1) * H] == 0)


def test_peepholes_feed_i_and_f_from_the_old_cell_and_o_from_the_new():
    ph = cell(peepholes=True)
    assert ph.peephole.shape == (3, H)
    x = probe(T=1)
    with torch.no_grad():
        ph.peephole.fill_(0.0)
        ph.peephole[2] = 1.0                              # only o_t looks at the cell
    got = ph.trace(x)
    a = x[:, 0] @ ph.weight_ih.T + ph.bias_ih + ph.bias_hh
    assert torch.allclose(got["o_t"][:, 0], torch.sigmoid(a[:, 3 * H:] + got["c_t"][:, 0]), atol=1e-12)
    assert torch.allclose(got["i_t"][:, 0], torch.sigmoid(a[:, :H]), atol=1e-12)   # c_{t-1} = 0 at t = 1


def test_parameter_counts_are_the_modules_and_follow_the_blocks():
    per_block = H * (D + H + 2)
    want = {"vanilla": 4 * per_block, "NIG": 3 * per_block, "NFG": 3 * per_block, "NOG": 3 * per_block,
            "NIAF": 4 * per_block, "NOAF": 4 * per_block, "CIFG": 3 * per_block, "PH": 4 * per_block + 3 * H,
            "FB1": 4 * per_block, "GRU": 3 * per_block}
    assert {v: V.parameter_count(v, D, H) for v in V.VARIANTS} == want
    assert V.parameter_count("vanilla", D, H) == sum(p.numel() for p in torch.nn.LSTM(D, H).parameters())
    assert cell(coupled=True, peepholes=True).peephole.shape == (2, H)          # CIFG has no f of its own to feed


def test_with_switches_keeps_the_weights_of_the_blocks_both_have():
    full = cell(peepholes=True)
    cifg = full.with_switches(coupled=True)
    assert cifg.blocks == "igo" and cifg.switches["peepholes"]
    assert torch.equal(cifg.weight_ih[:H], full.weight_ih[:H]) and torch.equal(cifg.weight_ih[H:], full.weight_ih[2 * H:])
    assert torch.equal(cifg.peephole, full.peephole[[0, 2]])
    back = cifg.with_switches(coupled=False)
    assert torch.all(back.weight_ih[H:2 * H] == 0)                                # a block it never had starts at 0
    x = probe()
    assert torch.allclose(cell().with_switches()(x)[0], cell()(x)[0])


def models(out_size=1, d=D):
    out = []
    for k, v in enumerate(v for v in V.VARIANTS if v != "GRU"):
        torch.manual_seed(k)
        out.append(V.VariantModel(v, d, H, out_size).double())
    return out


def test_a_bank_computes_what_each_copy_computes_alone_and_trains_it_the_same():
    ms = models()
    bank = V.Bank(ms).double()
    x = probe(B=4)
    y = torch.randn(4, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    out = bank(x.expand(len(ms), *x.shape))
    for k, m in enumerate(ms):
        assert torch.allclose(out[k], m(x), atol=1e-12)
    loss = V.loss_fn("adding")
    opt = torch.optim.Adam(bank.parameters(), lr=0.05)
    for _ in range(3):                                        # Adam works entry by entry; clipping per copy
        out = bank(x.expand(len(ms), *x.shape))
        opt.zero_grad()
        sum(loss(out[k], y) for k in range(len(ms))).backward()
        bank.clip_(0.1)
        opt.step()
    for k, m in enumerate(ms):
        alone = torch.optim.Adam(m.parameters(), lr=0.05)
        for _ in range(3):
            V.optimizer_step(alone, loss(m(x), y), 0.1)
        trained = bank.model(k).double()
        for (name, p), q in zip(m.named_parameters(), trained.parameters()):
            assert torch.allclose(p, q, atol=1e-10), (m.variant, name)


def test_the_temporal_order_task_hides_its_class_in_two_symbols():
    x, y = V.order_batch(20, 64, torch.Generator().manual_seed(0))
    assert x.shape == (64, 20, V.ORDER_SYMBOLS) and torch.all(x.sum(-1) == 1) and set(y.tolist()) <= {0, 1, 2, 3}
    marks = x[..., 4:].sum(-1)
    assert torch.all(marks.sum(1) == 2) and torch.all(marks[:, 2:4].sum(1) == 1) and torch.all(marks[:, 10:12].sum(1) == 1)
    first = x[:, 2:4, 5].sum(1)                               # 1 if the first mark is a Y
    second = x[:, 10:12, 5].sum(1)
    assert torch.equal(y, (2 * first + second).long())
    assert V.score("order", torch.nn.functional.one_hot(y, 4).float(), y) == 0.0


def test_ablation_is_seeded_and_gives_a_row_per_task_variant_and_seed():
    tiny = V.Budget(T=10, steps=3, batch=8, hidden=3, test_size=50)
    rows = V.ablation(("adding", "order"), ("vanilla", "CIFG", "GRU"), (0, 1), tiny, progress=False)
    assert [(r["task"], r["variant"], r["seed"]) for r in rows] == [
        (t, v, s) for t in ("adding", "order") for v in ("vanilla", "CIFG", "GRU") for s in (0, 1)]
    again = V.ablation(("adding", "order"), ("vanilla", "CIFG", "GRU"), (0, 1), tiny, progress=False)
    assert [r["score"] for r in rows] == [r["score"] for r in again]
    assert {r["params"] for r in rows if r["variant"] == "CIFG"} == {V.parameter_count("CIFG", 2, 3),
                                                                      V.parameter_count("CIFG", 6, 3)}
    assert all(0 <= r["score"] <= 1 for r in rows if r["task"] == "order")
    table = V.summary(rows)
    assert len(table) == 6 and all(t["n"] == 2 for t in table)
    first = [r["score"] for r in rows[:2]]
    assert table[0]["mean"] == pytest.approx(np.mean(first)) and table[0]["std"] == pytest.approx(np.std(first, ddof=1))
    assert "vanilla" in V.format_summary(table)


def test_a_variant_trained_alone_matches_its_bank_copy_in_the_ablation():
    tiny = V.Budget(T=10, steps=4, batch=8, hidden=3, test_size=50)
    both = V.ablation(("adding",), ("vanilla", "NOG"), (5,), tiny, progress=False)
    alone = V.ablation(("adding",), ("NOG",), (5,), tiny, progress=False)
    assert both[1]["score"] == pytest.approx(alone[0]["score"], abs=1e-6)


def test_bad_input_is_refused_by_name():
    assert_clear(lambda: V.VariantLSTM(0, 3), "input_size")
    assert_clear(lambda: V.VariantLSTM(2, 3, coupled=True, forget_gate=False), "coupled")
    assert_clear(lambda: V.VariantLSTM(2, 3, peepholes=1), "peepholes")
    assert_clear(lambda: V.VariantLSTM(2, 3, forget_gate=False, forget_bias=1.0), "forget_bias")
    assert_clear(lambda: V.VariantLSTM(2, 3, forget_bias=math.nan), "forget_bias")
    assert_clear(lambda: cell()(torch.zeros(2, 3, D + 1)), "x")
    assert_clear(lambda: cell()(np.zeros((2, 3, D))), "x")
    assert_clear(lambda: cell().with_switches(gates=False), "switch")
    assert_clear(lambda: V.make_variant("LSTM", 2, 3), "variant")
    assert_clear(lambda: V.Bank([]), "models")
    torch.manual_seed(0)
    assert_clear(lambda: V.Bank([V.VariantModel("GRU", 2, 3)]), "models")
    assert_clear(lambda: V.Bank([V.VariantModel("vanilla", 2, 3), V.VariantModel("vanilla", 2, 4)]), "models")
    bank = V.Bank([V.VariantModel("vanilla", 2, 3), V.VariantModel("NOG", 2, 3)])
    assert_clear(lambda: bank(torch.zeros(3, 4, 5, 2)), "x")
    assert_clear(lambda: bank(torch.zeros(2, 4, 5, 3)), "x")
    assert_clear(lambda: bank(torch.full((2, 4, 5, 2), math.nan)), "x")
    assert_clear(lambda: V.order_batch(5, 3, torch.Generator()), "T")
    assert_clear(lambda: V.order_batch(20, 3, None), "generator")
    assert_clear(lambda: V.ablation(tasks=("sine",)), "tasks")
    assert_clear(lambda: V.ablation(variants=()), "variants")
    assert_clear(lambda: V.ablation(seeds=(-1,)), "seeds")
    assert_clear(lambda: V.ablation(budget={"steps": 3}), "budget")
    assert_clear(lambda: V.Budget(steps=0), "steps")
    assert_clear(lambda: V.summary([{"task": "adding"}]), "rows")


@settings(max_examples=25, deadline=None)
@given(value=st.one_of(st.none(), st.text(max_size=3), st.floats(allow_nan=True), st.integers(-5, 0),
                       st.integers(10**6, 10**9), st.booleans()))
def test_any_bad_size_is_refused_by_name(value):
    assert_clear(lambda: V.VariantLSTM(value, 3), "input_size")
    assert_clear(lambda: V.VariantLSTM(2, value), "hidden")
    assert_clear(lambda: V.Budget(hidden=value), "hidden")

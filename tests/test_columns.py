"""The column schema of a table (skae/_columns.py): kinds, categories, codes, heads, loss,
swap noise."""

import numpy as np
import pandas as pd
import polars as pl
import pytest
import torch

from skae._columns import (
    UNKNOWN,
    ColumnInput,
    ColumnOutput,
    ColumnSchema,
    categorical_mask,
    column_loss,
)
from skae.noise import swap


@pytest.fixture
def frame():
    return pd.DataFrame({
        "amount": [1.5, 2.0, np.nan, 4.0, 5.5],
        "home": pd.Categorical(["rent", "own", "rent", None, "other"]),
        "job": pd.Series(["fixed", "partime", None, "fixed", "fixed"], dtype="str"),
        "age": [30, 41, 52, 23, 35],
        "flag": [True, False, True, True, False],
    })  # fmt: skip


def test_from_dtype_reads_category_text_and_bool_columns_as_categorical(frame):
    assert categorical_mask(frame, "from_dtype").tolist() == [False, True, True, False, True]
    assert categorical_mask(pl.from_pandas(frame), "from_dtype").tolist() == [
        False, True, True, False, True]  # fmt: skip
    # a numpy array has no dtype per column: no column is categorical unless named
    assert not categorical_mask(frame.to_numpy(), "from_dtype").any()
    assert categorical_mask(frame, None).tolist() == [False] * 5


@pytest.mark.parametrize("given", [["home", "job", "flag"], [1, 2, -1],
                                   [False, True, True, False, True]])  # fmt: skip
def test_an_explicit_list_of_names_indices_or_a_mask(frame, given):
    assert categorical_mask(frame, given).tolist() == [False, True, True, False, True]


def test_a_list_naming_what_x_has_not_is_refused(frame):
    with pytest.raises(ValueError, match="the column 'color', which X does not have"):
        categorical_mask(frame, ["color"])
    with pytest.raises(ValueError, match="indices from 0 to 4"):
        categorical_mask(frame, [7])
    with pytest.raises(ValueError, match="one entry per column \\(5\\)"):
        categorical_mask(frame, [True, False])
    with pytest.raises(ValueError, match="which X does not have"):
        categorical_mask(frame.to_numpy(), ["home"])  # names need a DataFrame


def test_categories_are_sorted_without_the_missing_entries_as_onehotencoder_has_them(frame):
    from sklearn.preprocessing import OneHotEncoder

    schema = ColumnSchema.fit(frame)
    assert [c.tolist() for c in schema.categories_] == [
        ["other", "own", "rent"], ["fixed", "partime"], [False, True]]  # fmt: skip
    complete = frame[["home", "job", "flag"]].dropna().astype(object)
    ohe = OneHotEncoder().fit(complete)
    assert [c.tolist() for c in ohe.categories_] == [c.tolist() for c in schema.categories_]


def test_codes_keep_the_width_and_decode_back_to_the_input(frame):
    schema = ColumnSchema.fit(frame)
    codes = schema.encode(frame)
    assert codes.shape == (5, 5) and codes.dtype == np.float32
    np.testing.assert_array_equal(codes[:, 1], [2, 1, 2, np.nan, 0])
    np.testing.assert_array_equal(codes[:, 0], frame["amount"].to_numpy(np.float32))
    back = schema.decode(codes, frame)
    assert back[0].tolist() == [1.5, "rent", "fixed", 30.0, True]
    assert back[3, 1] is None or back[3, 1] != back[3, 1]  # the hole stays a hole


def test_a_category_fit_never_saw_is_unknown_and_comes_back_as_it_was(frame):
    schema = ColumnSchema.fit(frame)
    new = frame.assign(home=pd.Categorical(["boat", "own", "rent", "own", "rent"]))
    codes = schema.encode(new)
    assert codes[0, 1] == UNKNOWN
    assert schema.decode(codes, new)[0, 1] == "boat"
    # the network reads an unknown or missing category as no category: an all-zero one-hot
    layer = ColumnInput(schema.categorical, schema.n_categories)
    x = layer(torch.from_numpy(codes))
    assert x.shape == (5, 2 + 3 + 2 + 2) and layer.width == 9
    assert x[0, 2:5].sum() == 0 and x[1, 2:5].tolist() == [0, 1, 0]
    assert not torch.isnan(layer(torch.from_numpy(schema.encode(frame)))).any()


def test_the_loss_scores_each_column_by_its_kind_on_observed_entries_only(frame):
    schema = ColumnSchema.fit(frame)
    layout = ColumnOutput(schema.categorical, schema.n_categories)
    target = torch.from_numpy(schema.encode(frame))
    perfect = torch.zeros(5, layout.width)
    numbers, logits = layout.split(perfect)
    assert numbers.shape == (5, 2) and [z.shape[1] for z in logits] == [3, 2, 2]
    # a perfect network: exact numbers, and a large logit on each true category
    perfect[:, 0] = torch.nan_to_num(target[:, 0])
    perfect[:, 1] = target[:, 3]
    for column, s in zip(layout.categorical, layout.slices):
        code = torch.nan_to_num(target[:, column], nan=0).long()
        perfect[torch.arange(5), s.start + code] = 50.0
    assert column_loss(perfect, target, layout) < 1e-6
    decoded = layout.decode(perfect)  # the largest logit of each categorical column
    seen = ~torch.isnan(target)
    assert torch.equal(decoded[seen], target[seen])
    # a uniform guess of a category costs log(k) nats, an error of 1 in a number costs 1
    guess = perfect.clone()
    guess[:, layout.slices[0]] = 0.0
    assert column_loss(guess, target, layout) == pytest.approx(np.log(3) / 5, rel=1e-5)


def test_swap_noise_takes_each_swapped_entry_from_the_same_column():
    x = torch.arange(200, dtype=torch.float32).reshape(50, 4) * torch.tensor([1, 10, 100, 1000])
    g = torch.Generator().manual_seed(0)
    out = swap(x, 0.3, g)
    changed = out != x
    assert 0.2 < changed.float().mean() < 0.4
    for j in range(4):  # every value is one of its own column's
        assert set(out[:, j].tolist()) <= set(x[:, j].tolist())
    assert torch.equal(swap(x, 0.0, g), x)

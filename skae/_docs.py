"""The docstring text every skae estimator shares, substituted into each class's own.

Each class writes out its parameters and fitted attributes in its docstring, so
that its source shows them; only the entries that read the same in every class
are written here once and substituted, by the decorator ``@substitute`` written
above each class, where the class docstring holds the marker
``{training_parameters}`` (or ``{net_parameters}``, those after early stopping's) or
``{fit_attributes}`` (on a line of its own), and
where a ``partial_fit`` docstring is ``{partial_fit}``, as imbalanced-learn's
``Substitution`` does. ``tests/test_protocol.py`` checks every
documented parameter against the signature, its order and its default.
"""

EARLY_STOPPING = """\
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified by class for
        the classifier), stop when its loss has not fallen by more than ``tol`` for
        ``n_iter_no_change`` epochs in a row, and keep the weights of the epoch with the
        lowest validation loss, as ``MLPClassifier`` does. It applies to ``fit`` only:
        ``partial_fit`` never holds rows out and never stops early.

    validation_fraction : float, default=0.1
        The held-out fraction, used only with ``early_stopping=True``.

    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.

    tol : float, default=0.0001
        Smallest fall of the validation loss (absolute) that counts as an improvement.
        It decides when to stop, not which weights are kept.
"""

# the training parameters after early stopping's (DAEImputer writes its own early stopping)
NET_PARAMETERS = """\
    net_params : dict, default=None
        Extra keyword arguments for the :class:`skorch.NeuralNet` that trains the
        network, for what skae has no parameter of its own: e.g. ``{"optimizer":
        torch.optim.SGD, "optimizer__momentum": 0.9}``, ``{"optimizer__weight_decay":
        1e-5}`` or ``{"callbacks": [skorch.callbacks.LRScheduler(...)]}``. Each net gets
        its own copy of every callback. Keys that an estimator parameter controls,
        nested ones included (``lr``, ``optimizer__lr``, ``max_epochs``, ``batch_size``,
        ``criterion``, ``warm_start``, ``device``, ``verbose``, ``train_split``,
        ``module``, ``dataset``, ``iterator_*``), are refused.

    device : str or torch.device, default='cpu'
        Where to train and encode: what ``torch.device`` accepts (``"cpu"``, ``"cuda"``,
        ``"cuda:1"``, ``"mps"``), or ``"auto"``, CUDA when available, else the CPU
        (``device_`` says which). A model fitted on a GPU loads on a CPU-only machine.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, noise, dropout and the validation split,
        through generators of the fit's own: the same value gives the same features on
        the same device, also when fits run concurrently in threads. Fitting never reads
        or changes numpy's or torch's global random state (with ``None``, the seed comes
        from fresh OS entropy).

    verbose : int, default=0
        0 is silent; 1 prints a line per epoch (skorch's log), each line after the
        estimator's repr, so that fits running side by side can be told apart; 2 adds a
        progress bar over the batches of each epoch.
"""

TRAINING_PARAMETERS = EARLY_STOPPING + "\n" + NET_PARAMETERS

FIT_ATTRIBUTES = """\
    history_ : skorch.history.History
        skorch's per-epoch record of the last training run (losses, durations).

    n_iter_ : int
        Epochs of training run: ``fit``'s (of fine-tuning, for the stacked estimators;
        fewer than ``max_epochs`` when early stopping stopped), and one for each
        ``partial_fit`` where the estimator has it.

    loss_curve_ : list of float
        Mean training loss of each of those epochs (one entry per ``n_iter_``).

    best_loss_ : float or None
        The lowest training loss; None with early stopping.

    validation_scores_ : list of float or None
        With early stopping, the score on the held-out data after each epoch of ``fit``
        (the labeled rows, for the classifier): the negative validation loss (higher is
        better); else None.

    device_ : str
        The device the network is on: where ``device`` (``"auto"`` resolved) put it.

    validation_epochs_ : list of int or None
        The epoch (counted in ``n_iter_``, from 1) of each of ``validation_scores_``:
        after a ``warm_start`` refit they follow the earlier epochs; else None.

    best_validation_score_ : float or None
        The best of ``validation_scores_``: the epoch whose weights are kept.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of the features seen during fit, when ``X`` had string column names.
"""

CATEGORICAL_FEATURES = """\
    categorical_features : "from_dtype", array-like of str, int or bool, or None, \
default='from_dtype'
        Which columns of ``X`` hold categories. "from_dtype" (as in
        ``HistGradientBoostingClassifier``): the category, text (object/string) and bool
        columns of a pandas or polars DataFrame; none of a numpy array or sparse
        matrix. Else a list of column names or indices, or a boolean mask; None: none.
        A table with categorical columns is read as it comes (see the user guide's
        "Tables with text columns"): each numeric column standardized (``mean_``,
        ``scale_``), each categorical column one-hot over the categories seen in
        ``fit`` (``categories_``; a category ``fit`` never saw, or a missing entry, reads
        as none); the network writes one number per numeric column and one logit per
        category, and is trained on each column's own loss: the squared error of a
        number, the cross-entropy of a category, each column weighing alike. Missing
        entries (NaN, None) are allowed there and not scored. A table with no
        categorical column is read as numbers, as given.
"""

MIXED_ATTRIBUTES = """\
    n_components_ : int
        The code size: ``n_components``, "auto" resolved.

    categorical_ : ndarray of bool of shape (n_features,)
        Which columns were read as categories; set only when some were.

    categories_ : list of ndarray
        The categories of each categorical column seen in ``fit``, sorted (as in
        ``OneHotEncoder``); set only with ``categorical_``.

    mean_, scale_ : ndarray of shape (n_features,)
        The mean and standard deviation of each numeric column (0 and 1 for the
        categorical ones), by which the network reads the numbers; set only with
        ``categorical_``.
"""

PARTIAL_FIT = """One pass over the block ``X``, continuing from the current state.

        The first call builds the network (as ``fit`` does, with
        ``random_state``); later calls check that ``X`` has the same
        features and continue the stream with the same optimizer state and
        random generators, so that passes over the same data equal the
        epochs of ``fit``. ``partial_fit`` trains on every row of the
        block: it never holds rows out and never stops early, whatever
        ``early_stopping`` says (as in ``MLPRegressor``). It adds one entry
        to ``loss_curve_`` and one to ``n_iter_``, and nothing to
        ``validation_scores_``, which describes ``fit``'s epochs.

        After ``fit`` (or ``warm_start``), the stream starts with a fresh
        optimizer from the fitted weights, pickled or not. A model whose
        last training was ``partial_fit`` pickles its optimizer state and
        generators too (for Adam, twice the weights more), so that a stream
        of blocks continues exactly after a trip through pickle, as
        dask-ml's ``Incremental`` makes between workers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One block of training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated estimator.
        """

MARKERS = {
    "    {training_parameters}": TRAINING_PARAMETERS,
    "    {net_parameters}": NET_PARAMETERS,
    "    {fit_attributes}": FIT_ATTRIBUTES,
    "    {categorical_features}": CATEGORICAL_FEATURES,
    "    {mixed_attributes}": MIXED_ATTRIBUTES,
}


def substitute(cls):
    """Class decorator: the shared entries filled into ``cls.__doc__`` where it holds
    their markers, and into the docstring ``{partial_fit}`` of its ``partial_fit``."""
    doc = cls.__dict__.get("__doc__")
    if doc:
        for marker, text in MARKERS.items():
            doc = doc.replace(marker, text.rstrip("\n"))
        cls.__doc__ = doc
    method = cls.__dict__.get("partial_fit")
    if method is not None and method.__doc__ == "{partial_fit}":
        method.__doc__ = PARTIAL_FIT
    return cls

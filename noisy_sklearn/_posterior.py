"""Mapping noisy posteriors back to clean ones through T, on the simplex."""

import numpy as np

# Entries (rows x classes) solved at once: the solver's dozen temporaries
# stay ~1 MB each at any n and K.
_CHUNK_ENTRIES = 1 << 17
# Beyond this condition number T is treated as singular: no inverse is tried.
_MAX_CONDITION = 1e8
# Duality gap of the loose solves on training samples (the prior of the
# maximum-likelihood T, the flags' first pass, weights, relabels, quality
# scores): a row's KL is at most this above its minimum. One value for all,
# so that one solve serves them all. On the accuracy benchmark's 144
# out-of-fold problems (112,416 samples) its label-error probabilities differ
# from a solve certified to 1e-6 by more than 0.1 in 24 samples, and the
# flags (the band near 1/2 solved to a gap of 1e-7) in 5; the former rule,
# stopping when an update moved no probability by 1e-4, was slower and got
# 393 and 99 (it stopped rows whose entries crawl off a face of the
# simplex). Predictions ("correct") keep that step rule, at 1e-8, under
# which a row's result does not depend on its batch.
LOOSE_TOL = 1e-3
# Plain EM updates before the rows still short of the gap are extrapolated:
# most rows are done by then, and extrapolation costs three updates a cycle.
_PLAIN_UPDATES = 10
# Floor of the starting point of rows with no exact solution.
_START_FLOOR = 1e-3
# Solves to a duality gap of at least this run in single precision: its
# rounding (a relative 6e-8 an operation) stays far below the gap, and matrix
# products and elementwise updates take about half the time (the prior of the
# maximum-likelihood T at 10,000 x 100: 28 against 49 ms). Inputs are cast a
# block at a time and the result is returned in double precision. Only for a
# well-conditioned T: the rounding of its inverse grows with cond(T), and the
# rows that the inverse solves exactly are not checked against the gap (at
# cond(T) = 1e5 such a row's KL was 2e-4 above the minimum, at 4e7 0.16; the
# estimated T of the 144 problems below have cond(T) <= 404). On the 144
# problems above the flags are unchanged, the maximum-likelihood T moves by
# at most 0.008 an entry (its mean absolute error, 0.0398, by 3e-5), and 11
# label qualities against 7 are more than 0.1 from a solve certified to 1e-6.
_SINGLE_PRECISION_GAP = 1e-4
_SINGLE_PRECISION_MAX_CONDITION = 1e3


def clean_posterior(
    noisy_proba, transition_matrix, *, rows=None, max_iter=500, tol=1e-8, gap_tol=None
):
    """Clean class posterior ``p`` with ``noisy_proba ~ p @ T``, on the simplex.

    Solves ``min_p KL(noisy_proba || p @ T)`` over probability vectors: the
    maximum-likelihood mixture weights of the rows of T. Rows whose exact
    inverse ``noisy_proba @ inv(T)`` is a probability vector take it (the KL
    is then zero). The others, and every row when T is ill-conditioned, are
    fitted by the EM (multiplicative) update ``p_i <- p_i g_i`` with ``g =
    (q / (p @ T)) @ T.T``, which stays on the simplex, so a near-singular T
    cannot blow up the result.

    Two stopping rules. By default a row stops when an update moves none of
    its probabilities by more than ``tol``: every row follows the same path
    whatever its batch, so predictions do not depend on how the rows are
    batched. With ``gap_tol``, a row stops once its Frank-Wolfe duality gap
    ``max(g) - p @ g`` (``g = (q / (p @ T)) @ T.T`` is the gradient of the
    log-likelihood ``q @ log(p @ T)``) is below ``gap_tol``, which bounds how
    far its KL is above the minimum; after a few plain updates the rows still
    short of it are accelerated by squared extrapolation (SQUAREM, Varadhan
    and Roland, 2008). The step rule can stop a row far from the solution
    when an entry crawls off a face of the simplex (each update then moves it
    by little); the gap rule cannot.

    Parameters
    ----------
    noisy_proba : ndarray of shape (n_samples, n_classes)
        Posterior over the given (noisy) labels.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    rows : ndarray of int, default=None
        Solve only these rows of ``noisy_proba``, in this order (gathered a
        chunk at a time, so no copy of them all is made); ``None`` solves
        every row.
    max_iter : int, default=500
        Maximum number of EM updates per row.
    tol : float, default=1e-8
        Step rule: a row stops when no probability moves by more than ``tol``
        in an update.
    gap_tol : float, default=None
        Gap rule: a row stops when its duality gap is below ``gap_tol`` (its
        KL is then within ``gap_tol`` of the minimum); replaces ``tol``. With
        a singular T (no unique minimiser) the step rule stops at a tenth of
        ``gap_tol``. A row that reaches ``max_iter`` stops where it is. A gap
        of ``1e-4`` or more with a well-conditioned T (condition number
        below 1e3) is solved in single precision (far finer than the gap)
        and returned in double precision.

    Returns
    -------
    proba : ndarray of shape (n_rows, n_classes)
        Clean posterior; rows sum to one. Each row depends only on its own
        input row, up to rounding: the product of one row and of many round
        differently, and under the gap rule that can tip a row's stopping
        decision and move the row slightly (by up to 8e-7 at a gap of 1e-8,
        in a check of 2,000 rows; more with an ill-conditioned T, up to 1e-5
        in a review's check at condition number 4e3); the step rule does not
        amplify rounding. A single-precision solve rounds more coarsely: of
        3,000 out-of-fold rows solved as a batch and within all 10,000, at
        a gap of 1e-3 and 10 classes, one moved by 2e-3 and three more by
        over 1e-5.
    """
    noisy_proba = np.asarray(noisy_proba, dtype=np.float64)
    T = np.asarray(transition_matrix, dtype=np.float64)
    condition = np.linalg.cond(T)
    inverse = np.linalg.inv(T) if condition < _MAX_CONDITION else None
    single = (
        gap_tol is not None
        and gap_tol >= _SINGLE_PRECISION_GAP
        and condition < _SINGLE_PRECISION_MAX_CONDITION
    )
    dtype = np.dtype(np.float32 if single else np.float64)
    T = T.astype(dtype)
    inverse = None if inverse is None else inverse.astype(dtype)
    n_rows = noisy_proba.shape[0] if rows is None else rows.shape[0]
    out = np.empty((n_rows, noisy_proba.shape[1]))
    chunk = max(1, _CHUNK_ENTRIES // max(noisy_proba.shape[1], 1))
    work = _Workspace(min(chunk, n_rows), noisy_proba.shape[1], dtype)
    # The rows that the plain updates leave short of the gap, from every
    # block, are extrapolated together: a few slow rows in each block would
    # otherwise each cost a long tail of small updates.
    plain = min(_PLAIN_UPDATES, max_iter)
    pending = _PendingRows(out, T, max_iter - plain, gap_tol, work)
    for start in range(0, n_rows, chunk):
        part = slice(start, start + chunk)
        block = noisy_proba[part] if rows is None else noisy_proba[rows[part]]
        block = block.astype(dtype, copy=False)
        out[part], left = _solve_block(
            block, T, inverse, max_iter, plain, tol, gap_tol, work
        )
        if left is not None:
            pending.add(start, left)
    pending.flush()
    if single:
        # Rows summed to one within single-precision rounding.
        out /= out.sum(axis=1, keepdims=True)
    return out


# Up to this many classes, and from this many rows, a row maximum is taken
# column by column (K vectorised passes), several times faster than numpy's
# reduction along short rows.
_COLUMN_MAX_CLASSES = 24
_COLUMN_MAX_ROWS = 512


def _row_max(a):
    """Maximum of each row of a 2-D array."""
    if a.shape[1] > _COLUMN_MAX_CLASSES or a.shape[0] < _COLUMN_MAX_ROWS:
        return a.max(axis=1)
    out = a[:, 0].copy()
    for k in range(1, a.shape[1]):
        np.maximum(out, a[:, k], out=out)
    return out


class _Workspace:
    """Named (rows, K) buffers that every update of a block reuses.

    Allocating the temporaries of each update afresh cost more than the
    arithmetic at K = 10 (the memory is returned to the system and faulted in
    again); an update writes into these instead, and one workspace serves
    every block of a solve. ``get(name, m)`` is the first ``m`` rows of
    buffer ``name``. Every buffer has the solve's ``dtype``; ``fit_floor``,
    the floor of ``p @ T`` before dividing by it, is its smallest normal
    number.
    """

    def __init__(self, n_rows, n_classes, dtype=np.float64):
        self.shape, self.dtype = (n_rows, n_classes), np.dtype(dtype)
        self.ones = np.ones(n_classes, dtype=self.dtype)
        self.fit_floor = np.finfo(self.dtype).tiny
        self._buffers = {}

    def get(self, name, m):
        if name not in self._buffers:
            self._buffers[name] = np.empty(self.shape, dtype=self.dtype)
        return self._buffers[name][:m]

    def row_sum(self, a):
        """Sum of each row (a matrix-vector product: faster than ``sum``)."""
        return a @ self.ones


def _em_step(p, q, T, work, out, fitted="fitted"):
    """One EM update of the mixture weights ``p`` (rows on the simplex).

    Returns the update, the fit ``p @ T`` (floored) and the duality gap, both
    at the input. The update and the fit are views of the workspace buffers
    ``out`` and ``fitted``, valid until those are written again; ``p`` may be
    the ``out`` buffer itself.
    """
    m = p.shape[0]
    fit = np.matmul(p, T, out=work.get(fitted, m))
    np.maximum(fit, work.fit_floor, out=fit)
    ratio = np.divide(q, fit, out=work.get("ratio", m))
    gradient = np.matmul(ratio, T.T, out=work.get("gradient", m))
    update = np.multiply(p, gradient, out=work.get(out, m))
    value = work.row_sum(update)
    gap = _row_max(gradient)
    gap -= value
    update /= value[:, None]
    return update, fit, gap


def _solve_block(q, T, inverse, max_iter, plain, tol, gap_tol, work):
    """Solve a block of rows, all but the extrapolation of the gap rule.

    Returns the block's solution and the rows still short of the gap after
    ``plain`` updates (an :class:`_ActiveRows` in ``work``, or None).
    """
    if inverse is None:
        p = np.clip(q, 1e-6, None)
        active = np.arange(q.shape[0])
    else:
        p = q @ inverse
        feasible = np.all(p >= 0, axis=1)
        # Infeasible rows start from the projected inverse, kept off the faces
        # of the simplex so that the multiplicative update can move every entry.
        np.maximum(p, _START_FLOOR, out=p, where=~feasible[:, None])
        active = np.flatnonzero(~feasible)
    p /= p.sum(axis=1, keepdims=True)
    # Each row stops on its own, whichever other rows share its batch. A
    # singular T has many minimisers (any p with the same p @ T), along which
    # the gap closes only slowly and no tolerance makes the answer unique:
    # the step rule stops it.
    if gap_tol is not None and inverse is None:
        gap_tol, tol = None, gap_tol / 10
    if active.size == 0:
        return p, None
    rows = _ActiveRows.gather(p, q, active, work)
    if gap_tol is None:
        for _ in range(max_iter):
            if rows.size == 0:
                return p, None
            update = _em_step(rows.p, rows.q, T, work, out=rows.spare)[0]
            step = np.subtract(update, rows.p, out=work.get("ratio", rows.size))
            rows.advance(update, _row_max(np.abs(step, out=step)) >= tol)
        rows.finish()
        return p, None
    # An update never raises the KL, so a row whose gap was below gap_tol
    # stays within it of the minimum after the update.
    for _ in range(plain):
        if rows.size == 0:
            return p, None
        update, _, gap = _em_step(rows.p, rows.q, T, work, out=rows.spare)
        rows.advance(update, gap >= gap_tol)
    return p, (rows if rows.size else None)


class _PendingRows:
    """Rows of several blocks waiting for extrapolation, up to a workspace.

    ``add`` copies a block's remaining rows out of the workspace (the next
    block reuses it); once the next ones would not fit, the waiting rows are
    extrapolated together and written to ``solution``.
    """

    def __init__(self, solution, T, max_iter, tol, work):
        self.solution, self.T, self.max_iter, self.tol = solution, T, max_iter, tol
        self.work, self.parts, self.size = work, [], 0

    def add(self, offset, rows):
        part = (rows.index + offset, rows.p.copy(), rows.q.copy())
        if self.size + rows.size > self.work.shape[0]:
            self.flush()
        self.parts.append(part)
        self.size += rows.size

    def flush(self):
        if not self.parts:
            return
        index, p, q = (
            np.concatenate(arrays) for arrays in zip(*self.parts, strict=True)
        )
        self.parts, self.size = [], 0
        rows = _ActiveRows(self.solution, index, p, q, self.work)
        _extrapolated_em(rows, self.T, self.max_iter, self.tol, self.work)
        rows.finish()


class _ActiveRows:
    """Rows still being solved, packed in workspace buffers.

    ``p`` and ``q`` are their current point and noisy posterior; an update
    is written into the buffer ``spare`` (the other of two), so that moving
    on copies nothing while no row stops. A row that stops is written back
    to ``solution`` at its ``index`` (a block's solution, or the whole
    output when rows of several blocks are extrapolated together).
    """

    def __init__(self, solution, index, p, q, work):
        self.solution, self.index, self.work = solution, index, work
        self._p_name, self._q_name = "rows_a", "q_a"
        self.p = work.get("rows_a", index.size)
        self.p[...] = p
        self.q = work.get("q_a", index.size)
        self.q[...] = q

    @classmethod
    def gather(cls, solution, q, index, work):
        """The rows ``index`` of ``solution`` (current points) and ``q``."""
        return cls(solution, index, solution[index], q[index], work)

    @property
    def size(self):
        return self.index.size

    @property
    def spare(self):
        return "rows_b" if self._p_name == "rows_a" else "rows_a"

    def advance(self, update, going):
        """Move every row to ``update`` (in ``spare``); keep those ``going``."""
        if going.all():
            self._p_name, self.p = self.spare, update
            return
        self.solution[self.index[~going]] = update[~going]
        kept = np.flatnonzero(going)
        self.index = self.index[kept]
        # The current point's buffer is free: the kept rows go there. (take
        # with mode="clip" writes straight into ``out``, which must therefore
        # not overlap its input; compress would stage a hidden copy.)
        m = kept.size
        out = self.work.get(self._p_name, m)
        self.p = np.take(update, kept, axis=0, out=out, mode="clip")
        q_name = "q_b" if self._q_name == "q_a" else "q_a"
        out = self.work.get(q_name, m)
        self.q = np.take(self.q, kept, axis=0, out=out, mode="clip")
        self._q_name = q_name

    def finish(self):
        """Write the rows still going to the solution."""
        self.solution[self.index] = self.p


def _extrapolated_em(rows, T, max_iter, tol, work):
    """EM with squared extrapolation (SQUAREM, scheme S3), row by row.

    From two updates ``p1 = F(p)``, ``p2 = F(p1)``, with ``r = p1 - p`` and
    ``v = p2 - p1 - r``, the row moves to ``F(p - 2 a r + a^2 v)`` with ``a =
    -|r| / |v|`` (at most -1, where the point is ``p2``). A row whose
    extrapolated point leaves the simplex (or turns a positive entry to
    zero) is updated from ``p2`` instead; one whose extrapolation fits ``q``
    worse than ``p1`` does is set to ``p2``. A row stops, at ``p2``, once the gap
    at ``p1`` is below ``tol``. A cycle costs three updates; ``max_iter``
    counts updates. ``rows`` (:class:`_ActiveRows`) advance in place.
    """
    for _ in range(max_iter // 3):
        m = rows.size
        if m == 0:
            return
        p0, q0 = rows.p, rows.q
        p1 = _em_step(p0, q0, T, work, out="p1", fitted="fitted0")[0]
        p2, fitted1, gap1 = _em_step(p1, q0, T, work, out="p2", fitted="fitted1")
        done = gap1 < tol
        r = np.subtract(p1, p0, out=work.get("r", m))
        v = np.subtract(p2, p1, out=work.get("v", m))
        v -= r
        r_norm = np.sqrt(np.einsum("ij,ij->i", r, r))
        v_norm = np.sqrt(np.einsum("ij,ij->i", v, v))
        with np.errstate(over="ignore", invalid="ignore"):
            step = -r_norm / np.where(v_norm > 0, v_norm, 1.0)
            step = np.minimum(np.where(v_norm > 0, step, -1.0), -1.0)[:, None]
            # far = p0 - 2 step r + step^2 v, built in the buffer of v.
            v *= step**2
            r *= -2.0 * step
            far = np.add(v, r, out=v)
            far += p0
        # An entry that is exactly zero stays zero under every update (r and
        # v are zero there); the others must stay positive.
        outside = ~np.all(np.isfinite(far) & ((far > 0) | (p0 == 0)), axis=1)
        far[outside] = p2[outside]
        far /= work.row_sum(far)[:, None]
        p3, fitted_far, _ = _em_step(far, q0, T, work, out=rows.spare, fitted="fitted0")
        # Log-likelihood of q under each fit: the extrapolation must not lose
        # to a single update.
        log_far = np.log(fitted_far, out=fitted_far)
        log_one = np.log(fitted1, out=fitted1)
        worse = np.einsum("ij,ij->i", q0, log_far) < np.einsum("ij,ij->i", q0, log_one)
        keep_p2 = done | worse
        p3[keep_p2] = p2[keep_p2]
        rows.advance(p3, ~done)


# Clean probabilities closer than this count as tied (rounding of the solve).
_TIE_TOL = 1e-12


def corrected_argmax(noisy_proba, clean_proba):
    """Most probable clean class; ties go to the noisy model's prediction.

    Symmetric noise preserves the order of the classes, so the mapping
    through T must not change a prediction; rounding in the solve can still
    turn an exact tie into a near tie the other way.

    Parameters
    ----------
    noisy_proba : ndarray of shape (n_samples, n_classes)
        Posterior over the given labels.
    clean_proba : ndarray of shape (n_samples, n_classes)
        Its clean posterior, :func:`clean_posterior` of ``noisy_proba``.

    Returns
    -------
    classes : ndarray of shape (n_samples,)
        Column index of the predicted class.
    """
    rows = np.arange(clean_proba.shape[0])
    best = np.argmax(clean_proba, axis=1)
    noisy_best = np.argmax(noisy_proba, axis=1)
    tied = clean_proba[rows, noisy_best] >= clean_proba[rows, best] - _TIE_TOL
    return np.where(tied, noisy_best, best)

"""
===========================================
Auditing a DataFrame for mislabelled rows
===========================================

Before training anything, it is often worth asking which rows of a labelled
table look wrong. :class:`~noisy_sklearn.NoiseRobustClassifier` answers with
three per-row attributes, aligned with the rows it was fitted on:

- ``label_issues_``: whether the row is flagged as probably mislabelled;
- ``label_quality_``: the probability that the given label is right (lower
  is more suspicious), for ranking;
- ``suggested_labels_``: the most likely true label from the features.

This example audits the iris data as a :class:`pandas.DataFrame` with a
string label column, some of whose labels were deliberately corrupted.
"""

# %%
# A table with some wrong labels
# ------------------------------
# In real use the true labels are unknown; here we keep them aside only to
# check the audit at the end.
import numpy as np
from sklearn.datasets import load_iris

from noisy_sklearn import make_noisy_labels, make_transition_matrix

iris = load_iris(as_frame=True)
table = iris.data.copy()
true_species = np.asarray(iris.target_names)[iris.target]
table["species"] = make_noisy_labels(
    true_species, make_transition_matrix(3, 0.12), random_state=3
)
print(f"{len(table)} rows, {(table['species'] != true_species).sum()} wrong labels")
table.head()

# %%
# Fit on the DataFrame
# --------------------
# The features are passed as a DataFrame and the labels as a string column;
# the fitted classifier remembers the column names in ``feature_names_in_``.
from noisy_sklearn import NoiseRobustClassifier

features = table.drop(columns="species")
clf = NoiseRobustClassifier(random_state=0).fit(features, table["species"])
print("Classes:", clf.classes_)
print("Features:", list(clf.feature_names_in_))
print(f"Flagged rows: {clf.label_issues_.sum()}")

# %%
# A ranked table of suspicious rows
# ---------------------------------
# Attach the three attributes to the table, keep the flagged rows and sort
# them from the most to the least suspicious: the top of this list is where a
# human reviewer's time is best spent.
audit = table.assign(
    suggested_label=clf.suggested_labels_,
    label_quality=clf.label_quality_.round(3),
    flagged=clf.label_issues_,
)
suspicious = audit[audit["flagged"]].sort_values("label_quality")
suspicious[["species", "suggested_label", "label_quality", *features.columns]]

# %%
# :func:`~noisy_sklearn.label_issues_table` gives the same ranking in one call,
# indexed like the label column, without the features.
from noisy_sklearn import label_issues_table

label_issues_table(clf, table["species"]).head()

# %%
# How good was the audit?
# -----------------------
# We kept the true labels, so we can check each flag and each suggestion.
truly_wrong = audit["species"] != true_species
flags_right = (audit["flagged"] & truly_wrong).sum()
print(f"{flags_right} of {audit['flagged'].sum()} flagged rows are really wrong")
print(f"{flags_right} of {truly_wrong.sum()} wrong rows were flagged")
fixed = audit["suggested_label"][audit["flagged"]] == true_species[audit["flagged"]]
print(f"The suggested label is right for {fixed.sum()} of {fixed.size} flagged rows")

# %%
# Where the flagged rows are
# --------------------------
# On the left, the flagged rows (circled) in the two petal measurements that
# separate the species best: most sit inside a cluster of another species.
# On the right, :class:`~noisy_sklearn.LabelQualityDisplay` compares the
# scores of flagged and kept rows.
import matplotlib.pyplot as plt

from noisy_sklearn import LabelQualityDisplay

fig, (ax_scatter, ax_quality) = plt.subplots(1, 2, figsize=(12, 4.5))
for species in clf.classes_:
    rows = audit["species"] == species
    ax_scatter.scatter(
        audit.loc[rows, "petal length (cm)"],
        audit.loc[rows, "petal width (cm)"],
        s=18,
        label=f"given: {species}",
    )
flagged_rows = audit[audit["flagged"]]
ax_scatter.scatter(
    flagged_rows["petal length (cm)"],
    flagged_rows["petal width (cm)"],
    s=110,
    facecolors="none",
    edgecolors="black",
    label="flagged",
)
ax_scatter.set(
    xlabel="petal length (cm)",
    ylabel="petal width (cm)",
    title="Flagged rows among the given labels",
)
ax_scatter.legend(loc="upper left")
LabelQualityDisplay.from_estimator(clf, ax=ax_quality, bins=10, title="Label quality")
fig.tight_layout()
plt.show()

# %%
# Fixing the labels
# -----------------
# Two common fixes, after review: drop the flagged rows, or replace their
# labels with the suggestion. Either way, keep the original column so the
# change can be audited and undone.
cleaned = audit.assign(
    species_fixed=audit["species"].where(~audit["flagged"], audit["suggested_label"])
)
print(f"Wrong labels before: {(cleaned['species'] != true_species).sum()}")
print(f"Wrong labels after:  {(cleaned['species_fixed'] != true_species).sum()}")

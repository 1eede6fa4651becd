"""cecli: maximum likelihood, negative log-likelihood and cross-entropy, one and the same."""

__version__ = "1.0.0"

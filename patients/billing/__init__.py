"""Cash pay's documents: the fee schedule in force, Good Faith Estimates, receipts and superbills
(docs/domain.md "Cash pay"). Payments themselves are ``patients.payments``."""

"""Taking a visit's fee through Stripe Checkout, applying Stripe's signed webhook events, and
refunds (docs/domain.md "Cash pay"). No card data reaches the portal: the patient pays on Stripe's
page, and only ids, amounts and a PHI-free product name are sent to Stripe."""

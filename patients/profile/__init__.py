"""The patient's profile: contact details, health answers that change after the intake (flagged
for a physician), and moving to another state (docs/domain.md "Profile and moving")."""

"""The patient's reminder preferences: email and text reminders, the verified mobile number that
texts need, and the STOP/START replies that come back from phones (README "Text messages")."""

"""TURN credentials for the video room (patients.visits.turn): coturn's use-auth-secret scheme."""

from patients.visits.turn import ice_servers, turn_credential


def test_the_credential_is_the_hmac_sha1_of_the_expiring_username():
    # Computed independently: printf '1700000000:label' | openssl dgst -sha1 -hmac north -binary | base64
    assert turn_credential(secret="north", expires_at=1_700_000_000, label="label") == (
        "1700000000:label",
        "WkwJGK5NI5iC6ZIsfXxhCa+5/BE=",
    )


def test_each_participant_gets_their_own_short_lived_credential(settings):
    settings.TURN_URLS = ["turn:turn1.example.org:3478?transport=udp", "turns:turn1.example.org:5349?transport=tcp"]
    settings.TURN_SECRET = "north"
    settings.TURN_CREDENTIAL_SECONDS = 7200
    (first,) = ice_servers(now=1_700_000_000)
    (second,) = ice_servers(now=1_700_000_000)
    assert first["urls"] == settings.TURN_URLS
    expiry, label = first["username"].split(":")
    assert int(expiry) == 1_700_000_000 + 7200
    assert len(label) == 16 and first["username"] != second["username"]
    assert first["credential"] == turn_credential(secret="north", expires_at=int(expiry), label=label)[1]
    # The shared secret itself is never handed out.
    assert "north" not in repr(first)


def test_without_turn_servers_the_browsers_connect_directly(settings):
    settings.TURN_URLS = []
    assert ice_servers() == []

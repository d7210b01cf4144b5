package io.sluice.bridge;

/** Why a connection closed or was refused: the {@code reason} of a session event, and a tag of the bridge's metrics. */
enum SessionReason {
    NORMAL, KEEP_ALIVE_TIMEOUT, PROTOCOL_ERROR, TAKEOVER, SERVER_SHUTDOWN, CONNECTION_LOST, NOT_WRITTEN,
    RECEIVE_MAXIMUM_EXCEEDED, BAD_CREDENTIALS, NOT_AUTHORIZED, BANNED_ADDRESS, TOO_MANY_CONNECTIONS,
    CONNECTION_RATE_EXCEEDED, SERVER_DRAINING, INVALID_CLIENT_ID,
    /** Too many password checks waiting: the CONNECT was not checked at all. */
    SERVER_BUSY,
    /** The source address failed to log in too often lately: refused before any password check. */
    TOO_MANY_FAILED_LOGINS,
    /** The device's credentials were removed or replaced, or its certificate denied, while it was connected. */
    REVOKED
}

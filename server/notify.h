/*
 * notify: systemd's readiness protocol without libsystemd.  Under
 * Type=notify, systemd passes a datagram socket in $NOTIFY_SOCKET (a path,
 * or "@name" in the abstract namespace); the service sends it lines such as
 * "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=text" (sd_notify(3)).
 */
#ifndef SOK_NOTIFY_H
#define SOK_NOTIFY_H

/* Sends state to $NOTIFY_SOCKET; nothing when it is unset or cannot be
 * reached (the server runs the same outside systemd).  Returns 1 when
 * sent, 0 otherwise. */
int sok_notify(const char *state);

#endif /* SOK_NOTIFY_H */

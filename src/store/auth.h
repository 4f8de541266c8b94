/* Session tokens: random, handed to the client once, stored only hashed. */
#ifndef RK_STORE_AUTH_H
#define RK_STORE_AUTH_H

#define RK__TOKEN_BYTES 32
#define RK__TOKEN_HEX 64

/* A new random token as 64 lowercase hex digits. */
void rk__token_new(char out[RK__TOKEN_HEX + 1]);
/* BLAKE2b-256 of the token text: what the sessions table keeps. */
void rk__token_hash(const char *token, unsigned char out[32]);

#endif

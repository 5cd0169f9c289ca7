// Only HMAC with SHA-1, for the staff second factor (TOTP): libsodium has neither SHA-1 nor HMAC-SHA1.
#include <openssl/evp.h>
#include <openssl/hmac.h>

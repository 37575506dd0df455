/*
 * SHA-256 compression (FIPS 180-4) for WebAssembly. The module holds no
 * message logic: the caller lays out padded blocks in the module's memory
 * (its scratch area, or a fixed-length message slot whose padding stays in
 * place between calls) and asks for the digest. Built without libc by
 * scripts/build-sha256-wasm.mjs; the bytes are checked in beside it.
 */
typedef unsigned int u32;
typedef unsigned char u8;

#define SCRATCH_BYTES 16384
#define SLOT_BYTES 256
#define SLOTS 16

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static u32 H[8];
static u8 scratch[SCRATCH_BYTES];
static u8 slots[SLOTS][SLOT_BYTES];
static u8 digest_out[32];

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(const u8 *p) {
  u32 W[64];
  for (int t = 0; t < 16; t++)
    W[t] = ((u32)p[4 * t] << 24) | ((u32)p[4 * t + 1] << 16) | ((u32)p[4 * t + 2] << 8) | p[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    u32 a = W[t - 15], b = W[t - 2];
    W[t] = W[t - 16] + (ROTR(a, 7) ^ ROTR(a, 18) ^ (a >> 3)) + W[t - 7] + (ROTR(b, 17) ^ ROTR(b, 19) ^ (b >> 10));
  }
  u32 a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (int t = 0; t < 64; t++) {
    u32 t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t];
    u32 t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  H[0] += a;
  H[1] += b;
  H[2] += c;
  H[3] += d;
  H[4] += e;
  H[5] += f;
  H[6] += g;
  H[7] += h;
}

__attribute__((export_name("init"))) void init(void) {
  H[0] = 0x6a09e667;
  H[1] = 0xbb67ae85;
  H[2] = 0x3c6ef372;
  H[3] = 0xa54ff53a;
  H[4] = 0x510e527f;
  H[5] = 0x9b05688c;
  H[6] = 0x1f83d9ab;
  H[7] = 0x5be0cd19;
}

/* Compresses `blocks` 64-byte blocks starting at `p`. */
__attribute__((export_name("update"))) void update(const u8 *p, u32 blocks) {
  for (u32 i = 0; i < blocks; i++) compress(p + 64 * i);
}

/* Writes the state as the big-endian digest. */
__attribute__((export_name("finish"))) void finish(void) {
  for (int i = 0; i < 8; i++) {
    digest_out[4 * i] = (u8)(H[i] >> 24);
    digest_out[4 * i + 1] = (u8)(H[i] >> 16);
    digest_out[4 * i + 2] = (u8)(H[i] >> 8);
    digest_out[4 * i + 3] = (u8)H[i];
  }
}

/* One call for a whole padded message: init, update, finish. */
__attribute__((export_name("digest"))) void digest(const u8 *p, u32 blocks) {
  init();
  update(p, blocks);
  finish();
}

__attribute__((export_name("scratchPtr"))) u8 *scratch_ptr(void) { return scratch; }
__attribute__((export_name("scratchBytes"))) u32 scratch_bytes(void) { return SCRATCH_BYTES; }
__attribute__((export_name("slotPtr"))) u8 *slot_ptr(u32 i) { return i < SLOTS ? slots[i] : 0; }
__attribute__((export_name("slotBytes"))) u32 slot_bytes(void) { return SLOT_BYTES; }
__attribute__((export_name("digestPtr"))) u8 *digest_ptr(void) { return digest_out; }

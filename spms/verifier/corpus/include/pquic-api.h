/* Declarations of the PQUIC plugin API used by the corpus pluglets: helper
 * prototypes (resolved by name at load time) and the access keys they take.
 * Values follow spms/verifier/data/api.json. */
#ifndef SPMS_CORPUS_PQUIC_API_H
#define SPMS_CORPUS_PQUIC_API_H

#include <stdint.h>
#include <stddef.h>

typedef uint64_t protoop_arg_t;
typedef uint16_t access_key_t;
typedef struct picoquic_cnx picoquic_cnx_t;
typedef struct picoquic_path picoquic_path_t;
typedef struct picoquic_packet picoquic_packet_t;
typedef struct picoquic_packet_context picoquic_packet_context_t;
typedef struct picoquic_sack_item picoquic_sack_item_t;

typedef struct protoop_id {
    char *id;
    uint64_t hash;
} protoop_id_t;

typedef struct protoop_params {
    protoop_id_t *pid;
    uint16_t param;
    int inputc;
    protoop_arg_t *inputv;
    protoop_arg_t *outputv;
    int caller_is_intern;
} protoop_params_t;

#define PLUGLET static __attribute__((always_inline)) inline

protoop_arg_t plugin_run_protoop(picoquic_cnx_t *cnx, protoop_params_t *pp);
protoop_arg_t get_cnx(picoquic_cnx_t *cnx, access_key_t ak, uint16_t param);
void set_cnx(picoquic_cnx_t *cnx, access_key_t ak, uint16_t param, protoop_arg_t val);
protoop_arg_t get_path(picoquic_path_t *path, access_key_t ak, uint16_t param);
void set_path(picoquic_path_t *path, access_key_t ak, uint16_t param, protoop_arg_t val);
protoop_arg_t get_pkt_ctx(picoquic_packet_context_t *ctx, access_key_t ak);
void set_pkt_ctx(picoquic_packet_context_t *ctx, access_key_t ak, protoop_arg_t val);
protoop_arg_t get_pkt(picoquic_packet_t *pkt, access_key_t ak);
void set_pkt(picoquic_packet_t *pkt, access_key_t ak, protoop_arg_t val);
protoop_arg_t get_sack_item(picoquic_sack_item_t *item, access_key_t ak);
protoop_arg_t get_cnx_metadata(picoquic_cnx_t *cnx, int idx);
void set_cnx_metadata(picoquic_cnx_t *cnx, int idx, protoop_arg_t val);
uint64_t picoquic_current_time(void);
void picoquic_set_cnx_state(picoquic_cnx_t *cnx, int state);
void *my_malloc(picoquic_cnx_t *cnx, unsigned int size);
void my_free(picoquic_cnx_t *cnx, void *ptr);
void *my_memcpy(void *dst, const void *src, size_t n);
void *my_memset(void *s, int c, size_t n);
size_t strlen(const char *s);
int socket(int domain, int type, int protocol);
long write(int fd, const void *buf, size_t n);

#define AK_CNX_INPUT 0x00
#define AK_CNX_OUTPUT 0x01
#define AK_CNX_STATE 0x0e
#define AK_CNX_NEXT_WAKE_TIME 0x16
#define AK_CNX_LATEST_PROGRESS_TIME 0x17
#define AK_CNX_NB_PATHS 0x2d
#define AK_CNX_PATH 0x2e
#define AK_CNX_WAKE_NOW 0x33
#define AK_CNX_PLUGIN_REQUESTED 0x39

#define AK_PATH_SMOOTHED_RTT 0x0e
#define AK_PATH_CWIN 0x17
#define AK_PATH_BYTES_IN_TRANSIT 0x18
#define AK_PATH_PKT_CTX 0x21

#define AK_PKTCTX_ACK_DELAY_LOCAL 0x05
#define AK_PKTCTX_RETRANSMIT_OLDEST 0x0b
#define AK_PKTCTX_NB_RETRANSMIT 0x06

#define AK_PKT_NEXT_PACKET 0x01
#define AK_PKT_SEQUENCE_NUMBER 0x03
#define AK_PKT_LENGTH 0x05
#define AK_PKT_IS_PURE_ACK 0x0b
#define AK_PKT_CONTEXT 0x09

#define AK_SACKITEM_NEXT_SACK 0x00

#endif

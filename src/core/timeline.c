/* timeline.c — the buffer hopper launches stamp into (src/core/timeline.h). */
#include "core/timeline.h"

#include "core/core.h"

static tg_timeline_block *buffer;
static size_t records;

tg_status tg_timeline_attach(tg_timeline_block *buf, size_t blocks)
{
    if (!TG_TIMELINE)
        return TG_FAIL(TG_ERR_NOT_COMPILED, "tg_timeline_attach: this library was built without "
                       "the timeline's stamps: configure with -DTG_TIMELINE=ON");
    if (buf && blocks == 0)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_timeline_attach: blocks is 0 with a buffer");
    buffer = buf;
    records = buf ? blocks : 0;
    return TG_SUCCESS;
}

tg_timeline_block *tg_timeline_buffer(size_t *blocks)
{
    *blocks = records;
    return buffer;
}

/*
 * order.h — the launch order both families use: linear block index →
 * (block_row, block_col) in groups of `raster` block rows. Inside a group the
 * order runs down the rows of one block column, then the next column, so the
 * blocks in flight at once read a few A row-panels and B column-panels
 * together and L2 serves the rest. Pure C, host and device.
 */
#ifndef TG_ORDER_H
#define TG_ORDER_H

#include <stdint.h>

#if defined(__CUDACC__)
#define TG_HD static __host__ __device__ __forceinline__
#else
#define TG_HD static inline
#endif

TG_HD void tg_raster_order(int raster, int64_t bid, int64_t grid_m, int64_t grid_n,
                           int64_t *block_row, int64_t *block_col)
{
    int64_t group_blocks = (int64_t)raster * grid_n;
    int64_t first_row = bid / group_blocks * raster;
    int64_t rows = grid_m - first_row < raster ? grid_m - first_row : raster;
    int64_t local = bid % group_blocks;
    *block_row = first_row + local % rows;
    *block_col = local / rows;
}

#endif /* TG_ORDER_H */

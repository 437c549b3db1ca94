/*
 * pp.h — preprocessor helpers shared by the families' X-macro lists.
 *
 * TG_ARG(i, v0, v1, ...) is the i-th (from 0) of its arguments, for a
 * literal i: a kernel instance unpacks one presets.def line with it, in the
 * order of its family's parameter list (see src/micro/plan.h).
 */
#ifndef TG_PP_H
#define TG_PP_H

#define TG_ARG(i, ...) TG_ARG_I_(i, __VA_ARGS__, ~)
#define TG_ARG_I_(i, ...) TG_ARG_##i(__VA_ARGS__)
#define TG_ARG_0(a0, ...) a0
#define TG_ARG_1(a0, a1, ...) a1
#define TG_ARG_2(a0, a1, a2, ...) a2
#define TG_ARG_3(a0, a1, a2, a3, ...) a3
#define TG_ARG_4(a0, a1, a2, a3, a4, ...) a4
#define TG_ARG_5(a0, a1, a2, a3, a4, a5, ...) a5
#define TG_ARG_6(a0, a1, a2, a3, a4, a5, a6, ...) a6
#define TG_ARG_7(a0, a1, a2, a3, a4, a5, a6, a7, ...) a7
#define TG_ARG_8(a0, a1, a2, a3, a4, a5, a6, a7, a8, ...) a8
#define TG_ARG_9(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, ...) a9
#define TG_ARG_10(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, ...) a10
#define TG_ARG_11(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, ...) a11
#define TG_ARG_12(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, ...) a12
#define TG_ARG_13(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, ...) a13
#define TG_ARG_14(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, ...) a14
#define TG_ARG_15(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, ...) a15
#define TG_ARG_16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, \
                  ...)                                                                        \
    a16
#define TG_ARG_17(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, \
                  a17, ...)                                                                   \
    a17
#define TG_ARG_18(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, \
                  a17, a18, ...)                                                              \
    a18
#define TG_ARG_19(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, \
                  a17, a18, a19, ...)                                                         \
    a19

/* How many arguments (1..20): checks a presets.def line against its family's list. */
#define TG_NARGS(...) TG_NARGS_(__VA_ARGS__, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, \
                                7, 6, 5, 4, 3, 2, 1, ~)
#define TG_NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, \
                  a18, a19, a20, n, ...)                                                       \
    n

#define TG_CAT_(a, b) a##b
#define TG_CAT(a, b) TG_CAT_(a, b)
#define TG_STR_(x) #x
#define TG_STR(x) TG_STR_(x)

/*
 * In a kernel instance (a file that defines TG_PRESET_VALUES, one line of a
 * family's presets.def): the line's values as compile-time constants named
 * by the family's list (BLOCK_M = 128, ...), every range and every plan rule
 * checked at compile time, and TG_INSTANCE_TILE, the tile struct's
 * initializer in list order ({BLOCK_M, BLOCK_N, ...}) for the plan functions.
 *   TG_INSTANCE(TG_MICRO_PARAMS, TG_MICRO_NPARAMS, TG_MICRO_RULES)
 */
#define TG_INSTANCE(PARAMS, NPARAMS, RULES)                                                  \
    static_assert(TG_NARGS(TG_PRESET_VALUES) == (NPARAMS),                                   \
                  "a presets.def line must give one value per parameter of its family");    \
    enum { PARAMS(TG_INSTANCE_CONST_) };                                                     \
    PARAMS(TG_INSTANCE_RANGE_)                                                               \
    RULES(TG_INSTANCE_RULE_, TG_INSTANCE_VALUE_)
#define TG_INSTANCE_CONST_(i, key, NAME, ...) NAME = TG_ARG(i, TG_PRESET_VALUES),
#define TG_INSTANCE_RANGE_(i, key, NAME, lo, hi, ...) \
    static_assert((NAME) >= (lo) && (NAME) <= (hi), #NAME " is outside its range (its family's plan.h)");
#define TG_INSTANCE_RULE_(cond, why) static_assert(cond, why);
#define TG_INSTANCE_VALUE_(NAME) (NAME)
#define TG_INSTANCE_FIELD_(i, key, NAME, ...) NAME,
#define TG_INSTANCE_TILE(PARAMS) {PARAMS(TG_INSTANCE_FIELD_)}

#endif /* TG_PP_H */

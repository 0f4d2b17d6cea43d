/* Compile-time checks of the layout of the records that the BPF programs write and userspace
 * reads. The same header is compiled by clang -target bpf and by g++; if the two ever disagreed
 * on a size or an offset, userspace would read fields from the wrong bytes without any error.
 * Plain C and C++, no includes: __builtin_offsetof needs no <stddef.h>, and both compilers have it. */
#ifndef BPFPROC_LAYOUT_ASSERT_H
#define BPFPROC_LAYOUT_ASSERT_H

#ifdef __cplusplus
#define LAYOUT_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define LAYOUT_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif

#define ASSERT_SIZE_OF(type, size) \
	LAYOUT_STATIC_ASSERT(sizeof(struct type) == (size), "size of struct " #type " changed")
#define ASSERT_OFFSET_OF(type, field, offset)                                  \
	LAYOUT_STATIC_ASSERT(__builtin_offsetof(struct type, field) == (offset), \
			     "offset of " #type "." #field " changed")

#endif /* BPFPROC_LAYOUT_ASSERT_H */

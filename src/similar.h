/*
 * similar.h — approximate matching of names, for merging spelling and
 * transliteration variants (Massoud/Masoud, Qassem/Qasem, Giuliani/Guliani)
 * at the end of a run (finish.c).
 */
#ifndef EG_SIMILAR_H
#define EG_SIMILAR_H

#include <stddef.h>

/* The length of the slug word at s: bytes up to the next '-' or the end
 * (a loop, not strcspn: the words are short and the call costs more). */
static inline size_t eg_slug_word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != '-')
        n++;
    return n;
}

/* Jaro–Winkler similarity of two byte strings, in [0, 1]. */
double eg_jaro_winkler(const char *a, size_t na, const char *b, size_t nb);

/* Are two entity ids (slugs: lower-case words joined by '-') variants of one
 * name? Persons: word by word, every word pair at least `th` similar (middle
 * initials ignored; a single word is compared with the other's surname);
 * other types: word by word too, short words equal, long ones with the same
 * consonant skeleton, a one-word name at least th + 0.3 (1 - th) similar. Identical
 * ids are not variants. */
int eg_names_similar(const char *a, const char *b, int person, double th);

/* Appends the blocking key for name-variant search to b: the consonant
 * skeleton of a person's last word, or of every word of other names
 * ("giuliani" and "guliani" → "gln"). Returns 0 or a negative status. */
#include "util.h"
int eg_name_skeleton(eg_buf *b, const char *id, int person);

/* Are two single words (folded keys) spelling variants: both of 5+ bytes,
 * different, the same consonant skeleton, Jaro–Winkler at least 0.85?
 * ("masoud"/"massoud", "ibrahim"/"ebrahim"; not "maryam"/"massoud"). */
int eg_words_variant(const char *a, size_t na, const char *b, size_t nb);

/* A hash of a word's consonant skeleton, never 0; 0 for words under 5 bytes
 * (which are never variants). Equal skeletons give equal hashes, so callers
 * compare these before calling eg_words_variant. */
uint64_t eg_skeleton_hash(const char *w, size_t n);

#endif

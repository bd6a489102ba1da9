// review: the review matrix.

"""Spaced repetition: per-user cards scheduled by FSRS, review log, queue, undo, stats, history."""

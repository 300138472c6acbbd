"""Accounts: the people who publish, how they sign in, and what machines may do for them.

Holds accounts and roles (`users`), signing in slowed against guessing (`sign_in`), sessions
kept on the server (`sessions`), password reset links, API tokens, and the release policies
of trusted system sources. Uses the core only (models, permissions, activity, clock, errors).
"""

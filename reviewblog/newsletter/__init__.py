"""The newsletter: readers follow the blog by email, an email for every new review or a weekly round-up.

Built on the comments app's double opt-in, cap and one-click unsubscribe, and on the reviews app's
outbox and jobs: see signup.py (joining and leaving) and sending.py (what is sent, when, to whom).
"""

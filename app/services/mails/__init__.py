"""Mails to agents and account holders, through the outbox (``models.OutgoingMail``).

- ``outbox``: a mail is a row written in the transaction of the action that causes it
  (never sent if that action is rolled back), sent later by a worker that takes it
  for a while (a lease), sends it and marks it sent in its own short transaction;
- ``messages``: what each mail says (French, plain text and HTML, links from
  ``PUBLIC_URL``): convocation, send-back, receipt, payment notice, password mails.
"""

"""People and access: roles, the role matrix, passwords and session tokens.

Owns: who may see and do what (:mod:`command.access.roles`), how passwords are hashed
and checked (:mod:`command.access.passwords`). Must not: read or write the store (users
and sessions live in :mod:`command.store.users`, the use cases in
:mod:`command.app.access`) or know about the web.
"""

from command.access.passwords import hash_password, new_password, password_problem, verify_password
from command.access.roles import (
                                      ACTIONS,
                                      MATRIX,
                                      PAGES,
                                      ROLES,
                                      SCOPED_ROLES,
                                      allowed,
                                      page_permission,
                                      permissions_of,
)

__all__ = ["ROLES", "SCOPED_ROLES", "PAGES", "ACTIONS", "MATRIX", "allowed", "permissions_of",
           "page_permission", "hash_password", "verify_password", "new_password",
           "password_problem"]

// libpq, PostgreSQL's C client library (Debian's libpq-dev), for the PostgreSQL backend. Only a build with
// the `Postgres` trait imports it (see docs/postgres.md).
#include <libpq-fe.h>

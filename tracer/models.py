"""Every model, imported once so that the metadata (and Alembic) knows all tables."""
from tracer.audit.models import AuditEvent  # noqa: F401
from tracer.auth.models import Agency, ApiToken, LoginThrottle, RecoveryCode, User, UserSession  # noqa: F401
from tracer.ballistics.rifling_models import RiflingSpec  # noqa: F401
from tracer.cases.models import Case, CaseReferenceCounter  # noqa: F401
from tracer.deconfliction.models import DeconflictionNotice  # noqa: F401
from tracer.firearms.models import (  # noqa: F401
    Attachment, Caliber, CaliberAlias, CustodyEvent, Firearm, Manufacturer, ManufacturerAlias)
from tracer.links.models import FirearmLink  # noqa: F401
from tracer.seizures.models import Seizure  # noqa: F401
from tracer.tracing.models import TraceNumberCounter, TraceRequest  # noqa: F401
from tracer.ballistics.models import BallisticItem, BallisticLink, Scene  # noqa: F401
from tracer.people.models import CasePerson, Person, PersonDuplicate, PersonMerge  # noqa: F401
from tracer.reports.models import CaseReportExport, CaseReportVersion  # noqa: F401
from tracer.stats.models import seizure_counts  # noqa: F401  (and every rollup table beside it)
from tracer.core.bulk_write import BULK_WRITES  # noqa: F401
# What follows a bulk insert on SQLite (``tracer.core.bulk_write``), registered with the tables so that
# no bulk insert runs without it: the dashboards' counters and the full-text indexes of serials.
from tracer.stats import rollups  # noqa: F401,E402
from tracer.search import lookups  # noqa: F401,E402

from tests import factories
from tracer.auth.models import User
from tracer.extensions import db


def test_rollback_isolation_part_one(ctx):
    factories.user(username="isolated")
    db.session.commit()
    assert db.session.query(User).filter_by(username="isolated").count() == 1


def test_rollback_isolation_part_two(ctx):
    assert db.session.query(User).filter_by(username="isolated").count() == 0


def test_login_and_home(login_as):
    officer = login_as("officer")
    page = officer.get("/")
    assert page.status_code == 200
    assert "Bienvenido" in page.get_data(as_text=True) or "Welcome" in page.get_data(as_text=True)

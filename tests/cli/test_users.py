"""`opendata user` and `opendata token`: the first accounts are made from the shell."""

from __future__ import annotations

from catalog.accounts.users import authenticate

PASSWORD = "a long and private passphrase"


def test_user_create_reads_the_password_from_stdin(runner, catalogue):
    result = runner.invoke(
        args=["user", "create", "Ada@York.gov.uk", "--name", "Ada Admin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created the account Ada Admin <ada@york.gov.uk>" in result.output
    account = authenticate(catalogue.session, email="ada@york.gov.uk", password=PASSWORD)
    assert account.name == "Ada Admin" and not account.sysadmin


def test_user_create_prompts_twice_and_can_make_a_sysadmin(runner, catalogue):
    result = runner.invoke(
        args=["user", "create", "root@york.gov.uk", "--name", "Site Admin", "--sysadmin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "Created the site administrator Site Admin" in result.output
    assert authenticate(catalogue.session, email="root@york.gov.uk", password=PASSWORD).sysadmin


def test_user_create_refuses_a_short_password_or_a_taken_email(runner, catalogue):
    short = runner.invoke(
        args=["user", "create", "a@york.gov.uk", "--name", "A", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    args = ["user", "create", "b@york.gov.uk", "--name", "B", "--password-stdin"]
    assert runner.invoke(args=args, input=f"{PASSWORD}\n").exit_code == 0
    taken = runner.invoke(args=args, input=f"{PASSWORD}\n")
    assert taken.exit_code != 0 and "already an account" in taken.output


def test_role_and_token_work_together_through_the_api(runner, client, catalogue):
    runner.invoke(
        args=["user", "create", "erin@york.gov.uk", "--name", "Erin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    role = runner.invoke(args=["user", "role", "erin@york.gov.uk", "children-education", "editor"])
    assert role.exit_code == 0 and "Erin now has editor in children-education" in role.output

    made = runner.invoke(args=["token", "create", "erin@york.gov.uk", "Nightly load"])
    assert made.exit_code == 0, made.output
    assert "will not be shown again" in made.output
    secret = made.stdout.strip()
    assert secret.startswith("odp_") and "\n" not in secret  # stdout holds only the secret

    me = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).json
    assert me["roles"] == [{"organisation": "children-education", "role": "editor"}]

    removed = runner.invoke(args=["user", "role", "erin@york.gov.uk", "children-education", "none"])
    assert removed.exit_code == 0 and "no role" in removed.output
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).json["roles"] == []


def test_token_create_with_an_expiry_and_bad_input(runner, catalogue):
    runner.invoke(
        args=["user", "create", "erin@york.gov.uk", "--name", "Erin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    dated = runner.invoke(
        args=["token", "create", "erin@york.gov.uk", "Year end", "--expires", "2999-03-31"]
    )
    assert dated.exit_code == 0, dated.output
    past = runner.invoke(
        args=["token", "create", "erin@york.gov.uk", "Old", "--expires", "2020-01-01"]
    )
    assert past.exit_code != 0 and "must be in the future" in past.output
    nobody = runner.invoke(args=["token", "create", "nobody@york.gov.uk", "X"])
    assert nobody.exit_code != 0 and "no account for nobody@york.gov.uk" in nobody.output
    no_org = runner.invoke(args=["user", "role", "erin@york.gov.uk", "parks", "admin"])
    assert no_org.exit_code != 0 and "no organisation called 'parks'" in no_org.output

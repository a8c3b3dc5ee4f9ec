"""The signing form's fields are shared by its instances: nothing may change them."""

from pledges.forms import SignatureForm


def test_a_form_with_errors_leaves_the_next_forms_fields_as_they_were():
    spoiled = SignatureForm({"name": "", "email": "not-an-address"})
    spoiled.is_valid()
    spoiled.as_div()  # drawn with its errors, aria-invalid and all

    fresh = SignatureForm().as_div()

    assert "aria-invalid" not in fresh
    assert "not-an-address" not in fresh
    # Each form has fields of its own, as Django makes them: nothing is shared.
    assert SignatureForm().fields["email"] is not SignatureForm().fields["email"]

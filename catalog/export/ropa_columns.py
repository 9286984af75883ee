"""The columns of the Article 30(1) record, as the UK ICO's documentation template for controllers
names them (in its order and wording, so a DPO can paste the rows into the template they already
keep), which of them a privacy policy cannot fill, and what an empty cell reads.

A cell the policy should fill and says nothing about reads NOT_STATED (a gap, visible, never blank);
a column no privacy policy can state (DPO_COLUMNS: the link to a processor contract, security
measures, where the data is held...) reads FOR_DPO.
"""

from __future__ import annotations

NOT_STATED = "Not stated in the policy"
FOR_DPO = "For the DPO to complete"

#: The ICO controller template's columns (sheet "Template", columns A onwards), in order and verbatim.
ROPA_COLUMNS: tuple[str, ...] = (
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller (if applicable)",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to (if applicable)",
    "Safeguards for exceptional transfers of personal data to third countries or international organisations (if applicable)",
    "Retention schedule (if possible)",
    "General description of technical and organisational security measures (if possible)",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Legitimate interests for the processing (if applicable)",
    "Link to record of legitimate interests assessment (if applicable)",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling (if applicable)",
    "The source of the personal data (if applicable)",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
)

(BUSINESS_FUNCTION, PURPOSE, JOINT_CONTROLLER, INDIVIDUALS, DATA, RECIPIENTS, PROCESSOR_CONTRACT, COUNTRIES,
 SAFEGUARDS, RETENTION, SECURITY, ART6, ART9, LEGITIMATE_INTERESTS, LIA_LINK, RIGHTS, AUTOMATED, SOURCE,
 CONSENT_LINK, LOCATION, DPIA) = ROPA_COLUMNS

#: Columns a privacy policy cannot fill: the controller's own records (contracts, assessments,
#: consent records), its security measures and where it holds the data. Empty, they are the DPO's to
#: complete, not a gap in the policy.
DPO_COLUMNS: tuple[str, ...] = (PROCESSOR_CONTRACT, SECURITY, LIA_LINK, CONSENT_LINK, LOCATION, DPIA)

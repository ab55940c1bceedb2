// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC165} from "@openzeppelin/contracts/interfaces/IERC165.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Echain event tickets: one ERC-721 token per ticket, paid in one ERC-20 payment token.
/// @notice The events below are exactly the ones the Echain backend projects; their order inside a
/// purchase (payment Transfer, mint Transfer, TicketPurchased) is part of the interface. TicketBaseURIUpdated and
/// ERC-4906's MetadataUpdate/BatchMetadataUpdate are for wallets and marketplaces (refresh the metadata); the backend
/// acknowledges them without projecting, since the metadata it serves is built from the projected events.
contract EchainTickets is IERC4906, ERC721 {
    using SafeERC20 for IERC20;
    using Strings for uint256;

    struct TicketedEvent {
        address organizer;
        string title;
        string description;
        uint64 startTime;
        uint64 endTime;
        uint256 maxTickets;
        uint256 ticketPrice;
        uint256 sold;
    }

    event EventCreated(uint256 indexed eventId, address indexed creator, string title, string description,
        uint64 startTime, uint64 endTime, uint256 maxTickets, uint256 ticketPrice);
    event EventUpdated(uint256 indexed eventId, string title, string description, uint64 startTime, uint64 endTime,
        uint256 ticketPrice);
    event TicketPurchased(uint256 indexed eventId, uint256 indexed tokenId, address indexed buyer, uint256 price,
        string ticketType);
    event TicketUsed(uint256 indexed tokenId);
    event TicketBaseURIUpdated(uint256 indexed eventId, string baseURI);

    error UnknownEvent(uint256 eventId);
    error NotOrganizer(uint256 eventId, address caller);
    error SoldOut(uint256 eventId);
    error InvalidSchedule(uint64 startTime, uint64 endTime);
    error InvalidCapacity();
    error TicketAlreadyUsed(uint256 tokenId);
    error InvalidBaseURI(string baseURI);

    // ERC-4906 defines only events; this id is what its wallets ask supportsInterface for.
    bytes4 private constant ERC4906_INTERFACE_ID = bytes4(0x49064906);

    IERC20 private immutable _paymentToken;
    uint256 public eventCount;
    uint256 public ticketCount;
    mapping(uint256 eventId => TicketedEvent) private _events;
    mapping(uint256 tokenId => uint256 eventId) private _ticketEvent;
    mapping(uint256 tokenId => bool used) public isUsed;
    // Per event, since the event's organizer is who serves (or moves) its tickets' metadata; there is no contract admin.
    mapping(uint256 eventId => string baseURI) private _ticketBaseURI;
    // The event's first token id (0 = none sold yet): with ticketCount it bounds the event's BatchMetadataUpdate.
    mapping(uint256 eventId => uint256 tokenId) private _firstTicket;

    constructor(IERC20 paymentToken_) ERC721("Echain Ticket", "ETIX") {
        _paymentToken = paymentToken_;
    }

    function paymentToken() external view returns (IERC20) {
        return _paymentToken;
    }

    function createEvent(string calldata title, string calldata description, uint64 startTime, uint64 endTime,
        uint256 maxTickets, uint256 ticketPrice) external returns (uint256 eventId) {
        if (startTime >= endTime) revert InvalidSchedule(startTime, endTime);
        if (maxTickets == 0) revert InvalidCapacity();
        eventId = ++eventCount;
        _events[eventId] = TicketedEvent(msg.sender, title, description, startTime, endTime, maxTickets, ticketPrice, 0);
        emit EventCreated(eventId, msg.sender, title, description, startTime, endTime, maxTickets, ticketPrice);
    }

    function updateEvent(uint256 eventId, string calldata title, string calldata description, uint64 startTime,
        uint64 endTime, uint256 ticketPrice) external {
        TicketedEvent storage e = _organizedBy(eventId, msg.sender);
        if (startTime >= endTime) revert InvalidSchedule(startTime, endTime);
        e.title = title;
        e.description = description;
        e.startTime = startTime;
        e.endTime = endTime;
        e.ticketPrice = ticketPrice;
        emit EventUpdated(eventId, title, description, startTime, endTime, ticketPrice);
        _ticketsChanged(eventId); // title and schedule are part of every ticket's metadata
    }

    /// @notice The event's organizer points its tickets' tokenURI at `{baseURI}{tokenId}/metadata`; "" clears it.
    /// @dev The base must end in "/" (or be empty): without it the token id runs into the path and never resolves.
    function setTicketBaseURI(uint256 eventId, string calldata baseURI) external {
        _organizedBy(eventId, msg.sender);
        bytes calldata raw = bytes(baseURI);
        if (raw.length > 0 && raw[raw.length - 1] != "/") revert InvalidBaseURI(baseURI);
        _ticketBaseURI[eventId] = baseURI;
        emit TicketBaseURIUpdated(eventId, baseURI);
        _ticketsChanged(eventId);
    }

    function ticketBaseURI(uint256 eventId) external view returns (string memory) {
        _existing(eventId);
        return _ticketBaseURI[eventId];
    }

    /// @notice `{baseURI}{tokenId}/metadata` with the base its event's organizer set; "" while none is set.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        string memory base = _ticketBaseURI[_ticketEvent[tokenId]];
        return bytes(base).length == 0 ? "" : string.concat(base, tokenId.toString(), "/metadata");
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return interfaceId == ERC4906_INTERFACE_ID || super.supportsInterface(interfaceId);
    }

    /// @notice Pulls the ticket price from the buyer to the organizer (approve first), then mints.
    function purchaseTicket(uint256 eventId, string calldata ticketType) external returns (uint256 tokenId) {
        TicketedEvent storage e = _existing(eventId);
        if (e.sold >= e.maxTickets) revert SoldOut(eventId);
        tokenId = ++ticketCount;
        if (e.sold == 0) _firstTicket[eventId] = tokenId;
        e.sold += 1;
        _ticketEvent[tokenId] = eventId;
        uint256 price = e.ticketPrice;
        if (price > 0) _paymentToken.safeTransferFrom(msg.sender, e.organizer, price);
        _mint(msg.sender, tokenId);
        emit TicketPurchased(eventId, tokenId, msg.sender, price, ticketType);
    }

    /// @notice Check-in: the event's organizer marks a ticket used, once.
    function useTicket(uint256 tokenId) external {
        _requireOwned(tokenId);
        _organizedBy(_ticketEvent[tokenId], msg.sender);
        if (isUsed[tokenId]) revert TicketAlreadyUsed(tokenId);
        isUsed[tokenId] = true;
        emit TicketUsed(tokenId);
        emit MetadataUpdate(tokenId); // "used" is one of the ticket's metadata attributes
    }

    function ticketEvent(uint256 tokenId) external view returns (uint256 eventId) {
        _requireOwned(tokenId);
        return _ticketEvent[tokenId];
    }

    /// @notice The event as the contract holds it; `sold` is the number of tickets minted for it.
    function eventInfo(uint256 eventId) external view returns (TicketedEvent memory) {
        return _existing(eventId);
    }

    function _existing(uint256 eventId) private view returns (TicketedEvent storage e) {
        e = _events[eventId];
        if (e.organizer == address(0)) revert UnknownEvent(eventId);
    }

    /// @dev Every ticket of the event lies in [its first token id, ticketCount]; ERC-4906 allows the range to
    /// hold other tokens too (a refresh of an unchanged token is harmless). Nothing sold: nothing to refresh.
    function _ticketsChanged(uint256 eventId) private {
        uint256 first = _firstTicket[eventId];
        if (first != 0) emit BatchMetadataUpdate(first, ticketCount);
    }

    function _organizedBy(uint256 eventId, address caller) private view returns (TicketedEvent storage e) {
        e = _existing(eventId);
        if (e.organizer != caller) revert NotOrganizer(eventId, caller);
    }
}

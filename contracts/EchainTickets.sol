// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title Echain event tickets: one ERC-721 token per ticket, paid in one ERC-20 payment token.
/// @notice The events below are exactly the ones the Echain backend projects; their order inside a
/// purchase (payment Transfer, mint Transfer, TicketPurchased) is part of the interface.
contract EchainTickets is ERC721 {
    using SafeERC20 for IERC20;

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

    error UnknownEvent(uint256 eventId);
    error NotOrganizer(uint256 eventId, address caller);
    error SoldOut(uint256 eventId);
    error InvalidSchedule(uint64 startTime, uint64 endTime);
    error InvalidCapacity();
    error TicketAlreadyUsed(uint256 tokenId);

    IERC20 private immutable _paymentToken;
    uint256 public eventCount;
    uint256 public ticketCount;
    mapping(uint256 eventId => TicketedEvent) private _events;
    mapping(uint256 tokenId => uint256 eventId) private _ticketEvent;
    mapping(uint256 tokenId => bool used) public isUsed;

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
    }

    /// @notice Pulls the ticket price from the buyer to the organizer (approve first), then mints.
    function purchaseTicket(uint256 eventId, string calldata ticketType) external returns (uint256 tokenId) {
        TicketedEvent storage e = _existing(eventId);
        if (e.sold >= e.maxTickets) revert SoldOut(eventId);
        e.sold += 1;
        tokenId = ++ticketCount;
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

    function _organizedBy(uint256 eventId, address caller) private view returns (TicketedEvent storage e) {
        e = _existing(eventId);
        if (e.organizer != caller) revert NotOrganizer(eventId, caller);
    }
}
